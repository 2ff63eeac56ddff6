// Inputs a newcomer tried that nobody had (flags, files and checkpoints beyond issue 13's
// reproducers): each gives one line on stderr naming the problem and a non-zero exit, where
// before it crashed in OpenMP, hung, took a value silently or blamed the wrong thing.
#include <catch2/catch.hpp>

#include "hostile_cli.h"

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "io/npz.h"
#include "support/text.h"
#include "training/input_feeds.h"

using namespace mnemo;
using namespace mnemo::testing;  // the helpers of hostile_cli.h
namespace fs = std::filesystem;

TEST_CASE("newcomer: --threads past the limit is refused, not a crash inside OpenMP", "[hostile][cli]") {
  TempDir dir("newcomer_threads");
  // 100000 threads crashed libgomp (SIGSEGV) at the first parallel loop of a larger model.
  checkOneLineError(train(dir / "r", {"--steps", "1", "--threads", "100000"}), {"--threads is 100000, more than the limit of 1024"});
  checkOneLineError(runMnemo({"bench", "--hidden", "8", "--seq-len", "5", "--threads", "100000"}),
                    {"--threads is 100000, more than the limit of 1024"});
  CHECK(!fs::exists(dir / "r"));
}

TEST_CASE("newcomer: mnemo grad bounds --steps and --batch-index instead of running for hours", "[hostile][cli]") {
  TempDir dir("newcomer_grad");
  const std::vector<std::string> tiny = {"grad", "--hidden", "8", "--seq-len", "5", "--batch", "2", "--out", dir / "g.npz"};
  auto grad = [&](const std::vector<std::string>& more) {
    std::vector<std::string> args = tiny;
    args.insert(args.end(), more.begin(), more.end());
    return runMnemo(args);
  };
  checkOneLineError(grad({"--steps", "99999999999"}), {"--steps is 99999999999, more than the limit of 1000000"});
  checkOneLineError(grad({"--batch-index", "99999999999"}), {"--batch-index must be between 0 and 1000000 (the limit), got 99999999999"});
  checkOneLineError(grad({"--batch-index", "-1"}), {"--batch-index must be between 0 and 1000000"});
  CHECK(!fs::exists(dir / "g.npz"));
}

TEST_CASE("newcomer: mnemo eval refuses --show -1 and model files by name", "[hostile][cli]") {
  const std::string gir = std::string(MNEMO_SOURCE_DIR) + "/tests/fixtures/diamond.gir";
  // Read as an unsigned number, -1 wrapped to "print every element".
  checkOneLineError(runMnemo({"eval", gir, "--show", "-1"}), {"--show must be 0 or more, got -1"});
  // A model file was parsed as IR: "1:1: unexpected character '#'".
  const std::string model = kExamples + "/gru.mnemo";
  checkOneLineError(runMnemo({"eval", model}), {model + ": mnemo eval runs IR files (.gir), not models"});
}

TEST_CASE("newcomer: a directory given as a model or graph file is named as one", "[hostile][cli]") {
  TempDir dir("newcomer_dirs");
  // A directory opened as a stream reads as an empty file: "1:1: expected 'model NAME' ..., got end of file".
  fs::create_directories(dir / "m.mnemo");
  fs::create_directories(dir / "g.gir");
  checkOneLineError(train(dir / "r", {"--steps", "1", "--model", dir / "m.mnemo"}), {"--model " + dir / "m.mnemo" + ": it is a directory, not a file"});
  checkOneLineError(runMnemo({"dump", dir / "m.mnemo"}), {dir / "m.mnemo" + ": it is a directory, not a file"});
  checkOneLineError(runMnemo({"eval", dir / "g.gir"}), {dir / "g.gir" + ": it is a directory, not a file"});
  CHECK(!fs::exists(dir / "r"));
}

TEST_CASE("newcomer: a checkpoint's config values are read whole and blamed on the checkpoint", "[hostile][cli]") {
  TempDir dir("newcomer_config");
  struct Case {
    std::string from, to, error;
  };
  // Before: "abc" read as 0 (then blamed on --lr, a flag never given, or accepted by analyze),
  // an out-of-range seed clamped to 2^64 - 1, a bad schedule blamed on --lr-schedule.
  const std::vector<Case> cases = {
      {"\"lr\": 0.001", "\"lr\": \"abc\"", "config \"lr\" is not a finite number: abc"},
      {"\"lr\": 0.001", "\"lr\": -1", "config \"lr\" must be a positive number, got -1"},
      {"\"size.H\": 8", "\"size.H\": \"abc\"", "config \"size.H\" is not an integer: abc"},
      {"\"seed\": 0", "\"seed\": 99999999999999999999999", "config \"seed\" is not an unsigned 64-bit integer"},
      {"\"batch\": 4", "\"batch\": 99999999999999999999", "config \"batch\" is not an integer"},
      {"\"size.H\": 8", "\"size.H\": 8, \"optimizer\": \"sgd\", \"momentum\": \"abc\"",
       "config \"momentum\" is not a finite number: abc"},
      {"\"size.H\": 8", "\"size.H\": 8, \"clip_grad_norm\": -3", "config \"clip_grad_norm\" must be a positive number"},
      {"\"size.H\": 8",
       "\"size.H\": 8, \"lr_schedule\": \"foo\", \"lr_step_every\": 5, \"lr_gamma\": 0.5, \"lr_min\": 0, \"lr_period\": 0",
       "config \"lr_schedule\" must be constant, step or cosine, got 'foo'"},
      {"\"size.H\": 8",
       "\"size.H\": 8, \"lr_schedule\": \"step\", \"lr_step_every\": 0, \"lr_gamma\": 0.5, \"lr_min\": 0, \"lr_period\": 0",
       "config \"lr_step_every\" must be at least 1, got 0"},
  };
  for (const Case& c : cases) {
    INFO(c.to);
    const std::string ckpt = editedCheckpoint(dir, [&](NpzArchive& npz) { replaceConfig(npz, c.from, c.to); });
    checkOneLineError(runMnemo({"analyze", "--checkpoint", ckpt, "--trials", "2", "--out", dir / "a"}),
                      {"checkpoint " + ckpt + ": " + c.error});
    checkOneLineError(train(dir / "resumed", {"--steps", "3", "--init", ckpt}, false), {"checkpoint " + ckpt + ": " + c.error});
    CHECK(!fs::exists(dir / "a"));
    CHECK(!fs::exists(dir / "resumed"));
  }
}

TEST_CASE("newcomer: bytes that are not UTF-8 never reach the terminal raw", "[hostile][cli]") {
  CHECK(printable("caf\xc3\xa9 \xc2\xb5s \xe2\x82\xac \xf0\x9f\x98\x80") == "caf\xc3\xa9 \xc2\xb5s \xe2\x82\xac \xf0\x9f\x98\x80");
  CHECK(printable("\xff\xfe") == "\\xff\\xfe");
  CHECK(printable("a\xc3") == "a\\xc3");                      // cut off
  CHECK(printable("\xc2\x9b" "2J") == "\\xc2\\x9b2J");         // C1 control CSI
  CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");               // overlong '/'
  CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");      // a surrogate
  CHECK(printable("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
  TempDir dir("newcomer_bytes");
  // A non-ASCII character in a model is quoted whole; a stray byte is escaped.
  writeText(dir / "accent.mnemo", "model m\nsize I = 2\nconst \xc3\xa9t\xc3\xa9 = 1\n");
  checkOneLineError(runMnemo({"dump", dir / "accent.mnemo"}), {"accent.mnemo:3:7: unexpected character '\xc3\xa9'"});
  writeText(dir / "grid.txt", "\xff\xfe = 1\n");
  CliResult r = runMnemo({"sweep", "--sweep-file", dir / "grid.txt", "--out", dir / "sweep"});
  checkOneLineError(r, {"grid.txt:1:1: bad parameter name '\\xff\\xfe'"});
  CHECK(r.err.find('\xff') == std::string::npos);
}

TEST_CASE("newcomer: mnemo task exports are checked against the memory limit before they fill it", "[hostile][cli]") {
  TempDir dir("newcomer_export");
  const std::string out = dir / "t.npz";
  // 10^7 trials took about 54 GB (the limit allowed them); 10^6 batches of the defaults 77 GB.
  checkOneLineError(runMnemo({"task", "--export-trials", "10000000", "--out", out, "--max-memory", "2G"}),
                    {"--export-trials: 10000000 trials of DelayComparison-v0 and their export needs",
                     "more than the limit of 2.00 GiB (--max-memory)"});
  checkOneLineError(runMnemo({"task", "--export-batches", "1000000", "--out", out, "--max-memory", "2G"}),
                    {"1000000 batches [T=100, B=16] of DelayComparison-v0 needs", "more than the limit of 2.00 GiB (--max-memory)"});
  CHECK(!fs::exists(out));
  CHECK(runMnemo({"task", "--export-trials", "100", "--out", out, "--max-memory", "2G"}).code == 0);
  CHECK(fs::exists(out));
  // --compress without an export was ignored, as --batch-size without --export-batches is not.
  checkOneLineError(runMnemo({"task", "--compress"}), {"--compress only applies to --export-trials/--export-batches"});
}

TEST_CASE("newcomer: a checkpoint holding NaN is refused, not analysed as a broken network", "[hostile][cli]") {
  TempDir dir("newcomer_nan_ckpt");
  // analyze and fixedpoints ran on it and reported 0% accuracy; train --init blamed its first update.
  for (const char* member : {"param/w_rr", "state/w_rr.m"}) {
    INFO(member);
    const std::string ckpt = editedCheckpoint(dir, [&](NpzArchive& npz) {
      std::vector<float> values = npz.get(member).values<float>();
      values[5] = std::nanf("");
      npz.add(member, NpyArray::from<float>(npz.get(member).shape, values));
    });
    const std::string error = "checkpoint " + ckpt + ": " + member + " holds nan at element 5 (a trained checkpoint holds finite numbers only)";
    checkOneLineError(runMnemo({"analyze", "--checkpoint", ckpt, "--trials", "2", "--out", dir / "a"}), {error});
    checkOneLineError(runMnemo({"fixedpoints", "--checkpoint", ckpt, "--trials", "2", "--candidates", "4", "--out", dir / "f"}), {error});
    checkOneLineError(train(dir / "resumed", {"--steps", "3", "--init", ckpt}, false), {error});
    CHECK(!fs::exists(dir / "a"));
    CHECK(!fs::exists(dir / "f"));
    CHECK(!fs::exists(dir / "resumed"));
  }
}

TEST_CASE("newcomer: a flag given an empty value is refused, not taken as left out", "[hostile][cli]") {
  TempDir dir("newcomer_empty");
  REQUIRE(train(dir / "run", {"--steps", "2"}).code == 0);
  const std::string ckpt = dir / "run/checkpoint.npz";
  // --data "" trained on the task instead, --out "" wrote runs/..., --plot "" printed the trials.
  checkOneLineError(train(dir / "r", {"--steps", "1", "--data", ""}), {"--data was given an empty value"});
  checkOneLineError(runMnemo({"train", "--no-progress", "--steps", "1", "--hidden", "8", "--out", ""}), {"--out was given an empty value"});
  checkOneLineError(runMnemo({"task", "--plot", ""}), {"--plot was given an empty value"});
  checkOneLineError(runMnemo({"analyze", "--checkpoint", ckpt, "--trials", "2", "--out", ""}), {"--out was given an empty value"});
  checkOneLineError(runMnemo({"analyze", "--checkpoint", ckpt, "--trials", "2", "--state", ""}), {"--state was given an empty value"});
  checkOneLineError(runMnemo({"fixedpoints", "--checkpoint", ckpt, "--input", ""}), {"--input was given an empty value"});
  checkOneLineError(runMnemo({"dump", "notebook", "--set", ""}), {"--set was given an empty value"});
  checkOneLineError(runMnemo({"sweep", "--grid", "seed=0", "--out", ""}), {"--out was given an empty value"});
  CHECK(!fs::exists(dir / "r"));
}

TEST_CASE("newcomer: a --feed value past float32 is refused, not fed as infinity", "[hostile]") {
  CHECK_THROWS_WITH(parseFeedFlag("n=constant(1e39)"), Catch::Contains("--feed n=constant(1e39): expected zeros, constant(v)"));
  CHECK_THROWS_WITH(parseFeedFlag("n=normal(1e39)"), Catch::Contains("(v and std finite float32 numbers)"));
  CHECK(parseFeedFlag("n=constant(-3e38)").second == "constant(-3e38)");
}

TEST_CASE("newcomer: a model number past double's range is refused where it is written", "[hostile][cli]") {
  TempDir dir("newcomer_number");
  // tau = 1e400 became infinity and the model compiled (alpha = dt / tau = 0: the RNN never moved).
  std::string model = readFile(kExamples + "/notebook_rnn.mnemo");
  const size_t at = model.find("tau = 100");
  REQUIRE(at != std::string::npos);
  model.replace(at, 9, "tau = 1e400");
  writeText(dir / "big.mnemo", model);
  checkOneLineError(runMnemo({"dump", dir / "big.mnemo"}), {"big.mnemo:7:23: number 1e400 is too large"});
}

TEST_CASE("newcomer: two ensemble members given one directory are named, not taken for another run", "[hostile][cli]") {
  TempDir dir("newcomer_members");
  // Before: "run directory a is in use by another mnemo train (pid <its own>)".
  checkOneLineError(train(dir / "e", {"--steps", "1", "--ensemble", "3", "--ensemble-out", dir / "a", "--ensemble-out", dir / "b",
                                      "--ensemble-out", dir / "x/../a"}),
                    {"--ensemble-out gives members 0 and 2 one directory (" + dir / "x/../a" + "); give each its own"});
  CHECK(!fs::exists(dir / "a"));
  CHECK(!fs::exists(dir / "e"));
}

TEST_CASE("newcomer: task --stats on trials of no steps prints numbers, not -nan", "[hostile][cli]") {
  // --dt 1e30 floors every period to 0 steps: decision_fraction was 0/0.
  CliResult r = runMnemo({"task", "--dt", "1e30", "--stats", "5"});
  CHECK(r.code == 0);
  CHECK(r.out.find("max_length=0 decision_fraction=0 ") != std::string::npos);
  CHECK(r.out.find("nan") == std::string::npos);
}
