// `mnemo train` run as a separate process: a short run prints the notebook's report lines and
// writes its run directory; resuming with --init keeps the checkpoint's model and sizes; every bad
// input (model file, checkpoint, --data file, flag) is one line on stderr naming the problem and
// a non-zero exit, and leaves an existing run directory byte for byte as it was; a diverging run
// names the step and keeps the last good checkpoint.
#include <catch2/catch.hpp>

#include "cli_runner.h"

#include <sys/wait.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <unistd.h>

#include "training/checkpoint.h"
#include "io/npz.h"

using namespace mnemo;
namespace fs = std::filesystem;

namespace {

const fs::path kTrainFixtures = fs::path(MNEMO_SOURCE_DIR) / "tests" / "fixtures" / "train";

using testing::CliResult;
using testing::lineCount;
const auto& slurp = testing::readFile;

/// Runs `mnemo train --no-progress ARGS`.
CliResult runTrain(std::vector<std::string> args) {
  args.insert(args.begin(), {"train", "--no-progress"});
  return testing::runMnemo(args);
}

/// The stderr lines that are not the task preset's warning (the notebook's timing carries an
/// entry DelayComparison-v0 does not have; mnemo warns about it whenever the task is built).
std::string withoutTaskWarning(const std::string& err) {
  return std::regex_replace(err, std::regex("mnemo: warning: timing entry [^\n]*\n"), "");
}

using testing::TempDir;

/// Every file of \p dir with its bytes.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) files[e.path().filename().string()] = slurp(e.path());
  return files;
}

/// A tiny run: the notebook RNN with H=8 on T=20, B=4.
const std::vector<std::string> kTiny = {"--hidden", "8", "--seq-len", "20", "--batch", "4"};

std::vector<std::string> tiny(std::vector<std::string> more) {
  std::vector<std::string> args = kTiny;
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

/// A --data file of \p n batches [T,B,I] = [20,4,2] (inputs 0.5, labels \p label).
void writeData(const std::string& path, int64_t n, int64_t T = 20, int64_t B = 4, int64_t I = 2, int64_t label = 1) {
  NpzArchive npz(path);
  npz.add("inputs", NpyArray::from<float>({n, T, B, I}, std::vector<float>(static_cast<size_t>(n * T * B * I), 0.5f)));
  npz.add("labels", NpyArray::from<int64_t>({n, T, B}, std::vector<int64_t>(static_cast<size_t>(n * T * B), label)));
  writeNpz(path, npz);
}

}  // namespace

TEST_CASE("cli: a short train run reports the notebook's lines and writes its run directory", "[cli][train]") {
  TempDir dir("ok");
  CliResult r = runTrain(tiny({"--steps", "30", "--print-every", "10", "--out", dir / "run"}));
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(withoutTaskWarning(r.err).empty());
  CHECK(std::regex_search(r.out, std::regex(R"(^mnemo train: model rnn \(examples/notebook_rnn\.mnemo\), )"
                                            R"(DelayComparison-v0 \(dt 100 ms, seed 0\), B=4 T=20, fused )")));
  CHECK(std::regex_search(r.out, std::regex(R"(\nStep 10, Loss \d+\.\d{4}, Acc \d\.\d{3}\nStep 20, Loss \d+\.\d{4}, )"
                                            R"(Acc \d\.\d{3}\nStep 30, Loss \d+\.\d{4}, Acc \d\.\d{3}\n)")));
  CHECK(std::regex_search(r.out, std::regex(R"(\ntrained steps 1-30 in .*; wrote .*/run/\{checkpoint\.npz, )"
                                            R"(config\.json, metrics\.csv, training\.svg\}\n$)")));
  std::map<std::string, std::string> files = snapshot(dir.path / "run");
  CHECK(files.size() == 4);
  CHECK(lineCount(files["metrics.csv"]) == 31);
  Checkpoint ckpt = loadCheckpoint(dir / "run/checkpoint.npz");
  CHECK(ckpt.step == 30);
  CHECK(ckpt.config.sizes.at("H") == 8);
  CHECK(ckpt.params.at("w_rr").dims == Dims{8, 8});

  // --init resumes the same model, sizes, task and seed without naming them again.
  CliResult resumed = runTrain({"--init", dir / "run/checkpoint.npz", "--steps", "10", "--print-every", "5",
                                "--out", dir / "resumed"});
  INFO(resumed.err);
  REQUIRE(resumed.code == 0);
  CHECK(resumed.out.find("B=4 T=20") != std::string::npos);
  CHECK(resumed.out.find("\nStep 35, Loss ") != std::string::npos);
  CHECK(resumed.out.find("\ntrained steps 31-40 in ") != std::string::npos);
  Checkpoint after = loadCheckpoint(dir / "resumed/checkpoint.npz");
  CHECK(after.step == 40);
  CHECK(after.config.sizes == ckpt.config.sizes);
  CHECK(after.config.seed == 0);

  CliResult help = runTrain({"--help"});
  CHECK(help.code == 0);
  for (const char* flag : {"--model", "--steps", "--seed", "--lr", "--hidden", "--batch", "--seq-len", "--threads",
                           "--no-fuse", "--out", "--init", "--data"})
    CHECK(help.out.find(flag) != std::string::npos);
}

TEST_CASE("cli: --onednn-only trains the same run with every matmul on oneDNN, to float rounding", "[cli][train][micro]") {
  TempDir dir("onednn");
  CliResult micro = runTrain(tiny({"--steps", "20", "--out", dir / "micro"}));
  CliResult onednn = runTrain(tiny({"--steps", "20", "--onednn-only", "--out", dir / "onednn"}));
  INFO(micro.out << micro.err << onednn.out << onednn.err);
  REQUIRE(micro.code == 0);
  REQUIRE(onednn.code == 0);
  CHECK(onednn.out.find("fused, oneDNN only") != std::string::npos);
  CHECK(micro.out.find("oneDNN only") == std::string::npos);
  Checkpoint a = loadCheckpoint(dir / "micro/checkpoint.npz"), b = loadCheckpoint(dir / "onednn/checkpoint.npz");
  REQUIRE(a.params.size() == b.params.size());
  for (const auto& [name, stored] : a.params) {
    INFO(name);
    REQUIRE(b.params.count(name));
    const std::vector<float>& values = stored.values;
    const std::vector<float>& other = b.params.at(name).values;
    REQUIRE(values.size() == other.size());
    for (size_t i = 0; i < values.size(); ++i) CHECK(values[i] == Approx(other[i]).margin(1e-4));
  }
}

TEST_CASE("cli: bad train inputs give one line naming the problem and a non-zero exit", "[cli][train]") {
  TempDir dir("bad");
  // A real checkpoint to cut and to corrupt.
  CliResult good = runTrain(tiny({"--steps", "3", "--out", dir / "good"}));
  REQUIRE(good.code == 0);
  const std::string ckpt = slurp(dir.path / "good/checkpoint.npz");
  std::ofstream(dir / "truncated.npz", std::ios::binary) << ckpt.substr(0, ckpt.size() / 2);
  std::string corrupt = ckpt;
  for (size_t i = 200; i < corrupt.size() && i < 1200; ++i) corrupt[i] = static_cast<char>(~corrupt[i]);
  std::ofstream(dir / "corrupt.npz", std::ios::binary) << corrupt;
  std::ofstream(dir / "garbage.npz", std::ios::binary) << std::string(3000, 'G');
  writeData(dir / "wrong_t.npz", 2, 30);        // T=30 for a run of T=20
  writeData(dir / "wrong_i.npz", 2, 20, 4, 3);  // 3 input channels for a model with 2
  writeData(dir / "bad_label.npz", 2, 20, 4, 2, 7);

  const std::string fx = kTrainFixtures.string();
  struct Bad {
    std::vector<std::string> args;
    std::string pattern;  // the whole line after "mnemo train: ", as a regex
    bool tinySizes = true;  // add the tiny run's --hidden/--seq-len/--batch
  };
  const Bad cases[] = {
      {{"--model", fx + "/syntax_error.mnemo"}, ".*/syntax_error\\.mnemo:15:18: expected an expression, got '\\)'"},
      {{"--model", fx + "/shape_mismatch.mnemo"},
       ".*/shape_mismatch\\.mnemo:14:24: op 'add' \\(%1: f32\\[4,8\\], %2: f32\\[4,3\\]\\): shapes \\[4,8\\] and "
       "\\[4,3\\] do not broadcast"},
      {{"--model", fx + "/unknown_op.mnemo"}, ".*/unknown_op\\.mnemo:14:7: unknown function 'softplus2' \\(known: .*"},
      {{"--model", fx + "/missing.mnemo"}, "--model .*/missing\\.mnemo: cannot open file"},
      {{"--init", dir / "missing.npz"}, "checkpoint .*/missing\\.npz does not exist"},
      {{"--optimizer", "rmsprop"}, "unknown optimizer 'rmsprop' \\(known: adam, sgd\\)"},
      {{"--optimizer", "sgd", "--momentum", "1.5"}, "momentum must be in \\[0, 1\\), got 1.5"},
      {{"--init", dir / "good/checkpoint.npz", "--optimizer", "sgd"},
       "checkpoint .*/good/checkpoint\\.npz has no values for %w_ir\\.velocity"},
      {{"--init", dir / "truncated.npz"}, ".*truncated\\.npz.*"},
      {{"--init", dir / "corrupt.npz"}, ".*corrupt\\.npz.*"},
      {{"--init", dir / "garbage.npz"}, ".*garbage\\.npz.*"},
      {{"--init", dir / "good/checkpoint.npz", "--hidden", "16"},
       "checkpoint .*/good/checkpoint\\.npz: %w_ir is \\[2,8\\], the model wants \\[2,16\\] \\(was it trained with "
       "other sizes\\?\\)",
       false},
      {{"--data", dir / "wrong_t.npz"},
       "--data .*/wrong_t\\.npz: inputs are float32\\(2, 30, 4, 2\\), the model wants float32\\[N,20,4,2\\] \\(set "
       "--seq-len/--batch to match the file\\)"},
      {{"--data", dir / "wrong_i.npz"}, "--data .*/wrong_i\\.npz: inputs are float32\\(2, 20, 4, 3\\), .*"},
      {{"--data", dir / "bad_label.npz"},
       "--data .*/bad_label\\.npz: label 7 \\(batch 0, t 0, b 0\\) is not a class of the model, \\[0,3\\)"},
      {{"--data", dir / "missing.npz"}, "--data .*/missing\\.npz: no such file"},
      {{"--bogus"}, "unrecognised option '--bogus' \\(see mnemo train --help\\)"},
      {{"--steps", "0"}, "--steps must be at least 1, got 0"},
      {{"--steps", "ten"}, "the argument \\('ten'\\) for option '--steps' is invalid \\(see mnemo train --help\\)"},
      {{"--lr", "-1"}, "--lr must be a positive number, got -1"},
      {{"--lr", "0"}, "--lr must be a positive number, got 0"},
      {{"--hidden", "0"}, "--hidden must be positive, got 0", false},
      {{"--seed", "-1"}, "bad --seed .-1.: expected a non-negative integer", false},
      {{"--threads", "0"}, "--threads must be at least 1, got 0"},
      {{"--size", "Q=3"}, ".*size override 'Q': model 'rnn' declares no size 'Q' .*"},
      {{"--task", "Nope-v0"}, "unknown task 'Nope-v0' \\(no close match; `mnemo task --list` shows all [0-9]+ tasks\\)"},
      {{"--task", "GoNogo"}, "unknown task 'GoNogo'; did you mean GoNogo-v0\\? \\(`mnemo task --list` shows all\\)"},
      {{"--rng", "pcg"}, "unknown random generator 'pcg' \\(mnemo, numpy\\)"},
  };
  for (const Bad& c : cases) {
    std::vector<std::string> args = c.tinySizes ? tiny(c.args) : c.args;
    args.push_back("--out");
    args.push_back(dir / "never");
    CliResult r = runTrain(args);
    INFO("mnemo train " << c.args[0] << (c.args.size() > 1 ? " " + c.args[1] : "") << " -> " << r.err);
    CHECK(r.code != 0);
    CHECK(r.out.empty());
    CHECK(lineCount(r.err) == 1);
    CHECK(std::regex_match(r.err, std::regex("mnemo train: " + c.pattern + "\n")));
  }
  CHECK_FALSE(fs::exists(dir.path / "never"));
}

TEST_CASE("cli: a failing train command leaves an existing run directory byte for byte as it was", "[cli][train]") {
  TempDir dir("keep");
  const std::string run = dir / "run";
  CliResult first = runTrain(tiny({"--steps", "5", "--out", run}));
  REQUIRE(first.code == 0);
  const std::map<std::string, std::string> before = snapshot(run);
  REQUIRE(before.size() == 4);

  writeData(dir / "wrong.npz", 2, 50);
  std::ofstream(dir / "truncated.npz", std::ios::binary)
      << before.at("checkpoint.npz").substr(0, before.at("checkpoint.npz").size() / 3);
  const std::string fx = kTrainFixtures.string();
  const std::vector<std::vector<std::string>> bad = {
      tiny({"--model", fx + "/syntax_error.mnemo"}),
      tiny({"--model", fx + "/shape_mismatch.mnemo"}),
      tiny({"--data", dir / "wrong.npz"}),
      tiny({"--init", dir / "truncated.npz"}),
      {"--init", run + "/checkpoint.npz", "--hidden", "32"},
      tiny({"--steps", "0"}),
      tiny({"--bogus"}),
      // Diverges at step 2, before its first checkpoint (every 500 steps) would be written.
      tiny({"--lr", "1e30", "--steps", "20"}),
  };
  for (std::vector<std::string> args : bad) {
    args.push_back("--out");
    args.push_back(run);
    CliResult r = runTrain(args);
    INFO(args[args.size() - 4] << " " << args[args.size() - 3] << " -> " << r.err);
    CHECK(r.code != 0);
    CHECK(snapshot(run) == before);
  }
  CHECK(loadCheckpoint(run + "/checkpoint.npz").step == 5);
}

TEST_CASE("cli: a diverging run names the step, exits non-zero and keeps the last good checkpoint", "[cli][train]") {
  TempDir dir("nan");
  // Batches from a file, so that the task (and its warning) is not involved: stderr is exactly
  // the error line.
  writeData(dir / "data.npz", 3);
  CliResult r = runTrain(tiny({"--data", dir / "data.npz", "--lr", "1e30", "--steps", "50", "--checkpoint-every", "1",
                               "--print-every", "1", "--out", dir / "run"}));
  CHECK(r.code == 1);
  CHECK(lineCount(r.err) == 1);
  CHECK(std::regex_match(r.err, std::regex("mnemo train: step 2: the loss is (NaN|infinite); training stopped; the "
                                           "last good checkpoint is .*/run/checkpoint\\.npz \\(step 1\\)\n")));
  CHECK(r.out.find("\nStep 1, Loss ") != std::string::npos);
  CHECK(r.out.find("\nStep 2, ") == std::string::npos);

  Checkpoint last = loadCheckpoint(dir / "run/checkpoint.npz");
  CHECK(last.step == 1);
  for (const auto& [name, t] : last.params)
    for (float v : t.values) REQUIRE(std::isfinite(v));
  CHECK(last.config.lr == 1e30);
}

TEST_CASE("cli: the GRU example trains from the command line with no C++ change", "[cli][train]") {
  TempDir dir("gru");
  CliResult r = runTrain(tiny({"--model", std::string(MNEMO_SOURCE_DIR) + "/examples/gru.mnemo", "--steps", "5",
                               "--print-every", "5", "--out", dir / "run"}));
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(std::regex_search(r.out, std::regex(R"(^mnemo train: model gru \(.*/examples/gru\.mnemo\), )")));
  CHECK(std::regex_search(r.out, std::regex(R"(\nStep 5, Loss \d+\.\d{4}, Acc )")));
  Checkpoint ckpt = loadCheckpoint(dir / "run/checkpoint.npz");
  CHECK(ckpt.params.size() == 12);
  CHECK(ckpt.params.at("w_hn").dims == Dims{8, 8});
  CHECK(ckpt.config.modelSource == slurp(fs::path(MNEMO_SOURCE_DIR) / "examples" / "gru.mnemo"));
}
