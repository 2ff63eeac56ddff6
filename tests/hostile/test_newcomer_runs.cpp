// A newcomer's second look: what the commands write and what they report when a search or a
// size goes wrong. A run directory that holds a run is never replaced unasked, a diverged
// fixed-point search is an error, --ensemble 0 is refused as its help says, a checkpoint's or a
// --set's unknown name is blamed on the checkpoint, and a trial export's memory estimate covers
// what the export really takes.
#include <catch2/catch.hpp>

#include "hostile_cli.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "io/npz.h"
#include "training/checkpoint.h"

using namespace mnemo;
using namespace mnemo::testing;  // the helpers of hostile_cli.h
namespace fs = std::filesystem;

namespace {

/// The step a run directory's checkpoint holds.
int64_t checkpointStep(const std::string& dir) { return loadCheckpoint(dir + "/checkpoint.npz").step; }

}  // namespace

TEST_CASE("newcomer: mnemo train into a directory that holds a run refuses unless told to resume or overwrite", "[hostile][cli]") {
  TempDir dir("newcomer_overwrite");
  const std::string run = dir / "run";
  REQUIRE(train(run, {"--steps", "20"}).code == 0);
  const std::string metrics = readFile(run + "/metrics.csv");
  // Before: a second run silently replaced the checkpoint (step 20) by its own (step 3).
  checkOneLineError(train(run, {"--steps", "3"}),
                    {"run directory " + run + " already holds a run (checkpoint.npz at step 20, config.json, metrics.csv, training.svg);",
                     "resume it with --init " + run + "/checkpoint.npz, choose another --out, or give --overwrite to replace it"});
  CHECK(checkpointStep(run) == 20);
  CHECK(readFile(run + "/metrics.csv") == metrics);
  // Another checkpoint's run into it would replace it as well.
  REQUIRE(train(dir / "other", {"--steps", "5"}).code == 0);
  checkOneLineError(train(run, {"--steps", "3", "--init", dir / "other/checkpoint.npz"}), {"already holds a run (checkpoint.npz at step 20"});
  CHECK(checkpointStep(run) == 20);
  // Resuming the run's own checkpoint continues it; --overwrite replaces it.
  REQUIRE(train(run, {"--steps", "3", "--init", run + "/checkpoint.npz"}).code == 0);
  CHECK(checkpointStep(run) == 23);
  REQUIRE(train(run, {"--steps", "4", "--overwrite"}).code == 0);
  CHECK(checkpointStep(run) == 4);
  // A run killed before its first checkpoint may have left only some files: still a run.
  fs::remove(run + "/checkpoint.npz");
  checkOneLineError(train(run, {"--steps", "3"}), {"already holds a run (config.json, metrics.csv, training.svg)"});
  // Resuming it names the missing checkpoint, not the files beside it.
  checkOneLineError(train(run, {"--steps", "3", "--init", run + "/checkpoint.npz"}), {"checkpoint " + run + "/checkpoint.npz does not exist"});
  // An empty directory is no run.
  fs::create_directories(dir / "empty");
  CHECK(train(dir / "empty", {"--steps", "2"}).code == 0);
}

TEST_CASE("newcomer: ensemble members and sweep points do not replace runs unasked either", "[hostile][cli]") {
  TempDir dir("newcomer_overwrite_more");
  REQUIRE(train(dir / "a", {"--steps", "2"}).code == 0);
  // Member 1's directory holds a run: refused before member 0's is made.
  checkOneLineError(train(dir / "e", {"--steps", "2", "--ensemble", "2", "--ensemble-out", dir / "b", "--ensemble-out", dir / "a"}),
                    {"run directory " + dir / "a" + " already holds a run (checkpoint.npz at step 2",
                     "choose another --out (or --ensemble-out), or give --overwrite to replace it"});
  CHECK(!fs::exists(dir / "b"));
  CHECK(checkpointStep(dir / "a") == 2);
  CHECK(train(dir / "e", {"--steps", "3", "--ensemble", "2", "--ensemble-out", dir / "b", "--ensemble-out", dir / "a", "--overwrite"}).code == 0);
  CHECK(checkpointStep(dir / "a") == 3);
  // mnemo sweep owns --overwrite: it reruns a point only when the point has not finished ok.
  checkOneLineError(runMnemo({"sweep", "--grid", "seed=0", "--out", dir / "s", "--overwrite"}),
                    {"--overwrite is set by mnemo sweep for every point"});
  // A point the table does not hold as ok runs again over what it left in its directory.
  const std::vector<std::string> sweep = {"sweep", "--grid", "seed=0", "--out", dir / "s", "--workers", "1", "--steps", "30",
                                          "--hidden", "8", "--seq-len", "20", "--batch", "4", "--print-every", "10"};
  REQUIRE(runMnemo(sweep).code == 0);
  const std::string point = dir / "s/seed=0";
  REQUIRE(fs::exists(point + "/checkpoint.npz"));
  // As after a kill between the point's last checkpoint and its row: the table lacks the point,
  // its directory holds its run. Without --overwrite the point's train refused and it failed.
  fs::remove(dir / "s/sweep.csv");
  CliResult again = runMnemo(sweep);
  INFO(again.out << again.err);
  CHECK(again.code == 0);
  CHECK(again.out.find("1 ok, 0 failed") != std::string::npos);
  CHECK(checkpointStep(point) == 30);
}

TEST_CASE("newcomer: --ensemble 0 is refused, and the help no longer calls it a lone run", "[hostile][cli]") {
  TempDir dir("newcomer_ensemble0");
  checkOneLineError(train(dir / "r", {"--steps", "1", "--ensemble", "0"}),
                    {"--ensemble must be at least 1, got 0 (leave --ensemble out for a lone run)"});
  CHECK(!fs::exists(dir / "r"));
  const std::string help = runMnemo({"train", "--help"}).out;
  CHECK(help.find("0: a lone run") == std::string::npos);
  CHECK(help.find("Leave it out for a lone run") != std::string::npos);
}

TEST_CASE("newcomer: a checkpoint's unknown size or constant is blamed on the checkpoint, --set on the flag", "[hostile][cli]") {
  TempDir dir("newcomer_unknown_names");
  // Before: "examples/notebook_rnn.mnemo:4:1: size override 'Q': ..." (the file recorded inside it).
  struct Case {
    std::string to, error;
  };
  for (const Case& c : {Case{"\"size.H\": 8, \"size.Q\": 3", "config \"size.Q\" names no size of its model 'rnn' (its sizes: I, H, O)"},
                        Case{"\"size.H\": 8, \"const.bogus\": 1",
                             "config \"const.bogus\" names no constant of its model 'rnn' (its constants: dt, tau, alpha)"}}) {
    INFO(c.to);
    const std::string ckpt = editedCheckpoint(dir, [&](NpzArchive& npz) { replaceConfig(npz, "\"size.H\": 8", c.to); });
    checkOneLineError(runMnemo({"analyze", "--checkpoint", ckpt, "--trials", "2", "--out", dir / "a"}), {"checkpoint " + ckpt + ": " + c.error});
    checkOneLineError(runMnemo({"fixedpoints", "--checkpoint", ckpt, "--trials", "2", "--out", dir / "a"}), {"checkpoint " + ckpt + ": " + c.error});
    checkOneLineError(train(dir / "resumed", {"--steps", "2", "--init", ckpt}, false), {"checkpoint " + ckpt + ": " + c.error});
    CHECK(!fs::exists(dir / "a"));
    CHECK(!fs::exists(dir / "resumed"));
  }
  const std::string ckpt = dir / "run/checkpoint.npz";
  checkOneLineError(runMnemo({"analyze", "--checkpoint", ckpt, "--trials", "2", "--set", "bogus=1", "--out", dir / "a"}),
                    {"--set bogus=1: the model of checkpoint " + ckpt + " ('rnn') declares no constant 'bogus' (its constants: dt, tau, alpha)"});
  CHECK(!fs::exists(dir / "a"));
}

TEST_CASE("newcomer: a fixed-point search that diverges is an error, not a NaN in the table", "[hostile][cli]") {
  TempDir dir("newcomer_diverged");
  REQUIRE(train(dir / "run", {"--steps", "2"}).code == 0);
  const std::string ckpt = dir / "run/checkpoint.npz";
  // Before: exit 0, "the smallest q is -nan", and files written.
  for (const char* iterations : {"1", "50"}) {
    INFO("--iterations " << iterations);
    CliResult r = runMnemo({"fixedpoints", "--checkpoint", ckpt, "--lr", "1e30", "--trials", "2", "--candidates", "20",
                            "--iterations", iterations, "--out", dir / "f"});
    checkOneLineError(r, {"the descent diverged ", ": every candidate's q is NaN or infinite; lower --lr (now 1e+30, --final-lr 1e-05) or --noise (now 0.01)"});
    CHECK(r.out.find("nan") == std::string::npos);
    CHECK(!fs::exists(dir / "f/fixed_points.npz"));
    CHECK(!fs::exists(dir / "f/fixed_points.svg"));
  }
  CHECK(runMnemo({"fixedpoints", "--help"}).out.find("if every candidate diverges the search stops with an error") != std::string::npos);
  // An --input value past float32 was taken (as infinity) and made the descent diverge.
  checkOneLineError(runMnemo({"fixedpoints", "--checkpoint", ckpt, "--input", "1,1e39", "--trials", "2", "--out", dir / "f"}),
                    {"--input 1,1e39: '1e39' is not a finite number (inputs are float32)"});
}

namespace {

/// Runs `mnemo ARGS...` with stdout and stderr discarded; \returns its exit code and the peak
/// resident memory of that one process, in bytes (wait4's rusage).
std::pair<int, double> peakMemory(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {MNEMO_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  for (std::string& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    std::FILE* ignored = std::freopen("/dev/null", "w", stdout);
    ignored = std::freopen("/dev/null", "w", stderr);
    (void)ignored;
    ::execv(raw[0], raw.data());
    ::_exit(127);
  }
  int status = 0;
  struct rusage usage {};
  ::wait4(pid, &status, 0, &usage);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, static_cast<double>(usage.ru_maxrss) * 1024};
}

}  // namespace

TEST_CASE("newcomer: task --export-trials estimates at least the memory the export takes", "[hostile][cli]") {
  TempDir dir("newcomer_export_memory");
  const std::string out = dir / "t.npz";
  // The process's own footprint (the executable, the task) is what exporting one trial takes.
  const auto [baseCode, base] = peakMemory({"task", "--export-trials", "1", "--out", out});
  REQUIRE(baseCode == 0);
  const auto [code, peak] = peakMemory({"task", "--export-trials", "60000", "--out", out});
  REQUIRE(code == 0);
  const double exportBytes = peak - base;
  INFO("the export of 60000 trials took " << exportBytes / 1048576 << " MiB");
  REQUIRE(exportBytes > 50 * 1048576.0);  // large enough to tell an estimate from the noise
  // With the limit at what the export really took, the estimate must refuse it. Before, it counted
  // the padded arrays three times but the archive is held four times while the file is encoded,
  // and the trials' metadata columns not at all: 60000 trials ran under a limit 20% below their use.
#if defined(__SANITIZE_ADDRESS__)
  // Under AddressSanitizer the process also holds its shadow memory and its quarantine of freed
  // blocks (the export measured 498 MiB there against 316 in the plain build): the estimate is of
  // the plain build's use, so only its other side is checked here.
  WARN("the estimate against the measured use is checked in the plain build, not under AddressSanitizer");
#else
  const std::string limit = std::to_string(static_cast<long long>(exportBytes));
  checkOneLineError(runMnemo({"task", "--export-trials", "60000", "--out", dir / "u.npz", "--max-memory", limit}),
                    {"--export-trials: 60000 trials of DelayComparison-v0 and their export needs"});
  CHECK(!fs::exists(dir / "u.npz"));
#endif
  // And the estimate is an honest one, not a refusal of everything: twice the use passes.
  CHECK(runMnemo({"task", "--export-trials", "60000", "--out", dir / "u.npz", "--max-memory",
                  std::to_string(static_cast<long long>(2 * exportBytes))}).code == 0);
}

TEST_CASE("newcomer: a network that diverges in analysis is refused, not analysed", "[hostile][cli]") {
  TempDir dir("newcomer_diverging_trials");
  REQUIRE(train(dir / "run", {"--steps", "2"}).code == 0);
  const std::string ckpt = dir / "run/checkpoint.npz";
  // --set dt=1e30 makes alpha = dt / tau huge: before, analyze printed "Decision accuracy: 1.000"
  // from infinite states and NaN logits, and a PCA of them, and exited 0.
  const std::string error = "trial 0, step 2: state h is inf; the network diverges with --set dt=1e30, so there is nothing to analyse";
  checkOneLineError(runMnemo({"analyze", "--checkpoint", ckpt, "--trials", "3", "--set", "dt=1e30", "--out", dir / "a"}), {error});
  checkOneLineError(runMnemo({"fixedpoints", "--checkpoint", ckpt, "--trials", "3", "--set", "dt=1e30", "--out", dir / "f"}), {error});
  CHECK(!fs::exists(dir / "a/activity.npz"));
  CHECK(!fs::exists(dir / "f/fixed_points.npz"));
}

TEST_CASE("newcomer: an --out that cannot be made fails before the trials and the search, not after", "[hostile][cli]") {
  TempDir dir("newcomer_late_out");
  REQUIRE(train(dir / "run", {"--steps", "2"}).code == 0);
  writeText(dir / "file", "");
  const std::string out = dir / "file/sub";  // below a regular file: no directory can be made there
  for (const char* command : {"analyze", "fixedpoints"}) {
    INFO(command);
    CliResult r = runMnemo({command, "--checkpoint", dir / "run/checkpoint.npz", "--trials", "2", "--out", out});
    checkOneLineError(r, {"--out " + out + ": cannot create the directory"});
    // Before: the whole analysis (or a search of minutes) ran and was printed, then lost.
    CHECK(r.out.find("Decision accuracy") == std::string::npos);
    CHECK(r.out.find("descent:") == std::string::npos);
  }
}

TEST_CASE("newcomer: a text input that never ends (/dev/zero) is refused, not read until memory runs out", "[hostile][cli]") {
  TempDir dir("newcomer_endless");
  const std::string limit = "longer than 256 MiB, the limit for a text file (is it one?)";
  checkOneLineError(runMnemo({"train", "--model", "/dev/zero", "--out", dir / "r"}), {"--model /dev/zero: " + limit});
  checkOneLineError(runMnemo({"eval", "/dev/zero"}), {"/dev/zero: " + limit});
  checkOneLineError(runMnemo({"sweep", "--sweep-file", "/dev/zero", "--out", dir / "s"}), {"sweep file /dev/zero: " + limit});
  // A directory as the sweep file was "read error".
  checkOneLineError(runMnemo({"sweep", "--sweep-file", dir.path.string(), "--out", dir / "s"}),
                    {"sweep file " + dir.path.string() + ": it is a directory, not a file"});
  CHECK(!fs::exists(dir / "r"));
  CHECK(!fs::exists(dir / "s"));
}

TEST_CASE("newcomer: an export or gradient file is not written over a run's checkpoint", "[hostile][cli]") {
  TempDir dir("newcomer_out_checkpoint");
  REQUIRE(train(dir / "run", {"--steps", "4"}).code == 0);
  const std::string ckpt = dir / "run/checkpoint.npz";
  // Before: both replaced the checkpoint without a word (a slip of --out lost the run).
  checkOneLineError(runMnemo({"grad", "--hidden", "8", "--seq-len", "5", "--batch", "2", "--out", ckpt}),
                    {"--out " + ckpt + " holds a training checkpoint; it is not replaced by this output: choose another --out"});
  checkOneLineError(runMnemo({"task", "--export-trials", "3", "--out", ckpt}), {"--out " + ckpt + " holds a training checkpoint"});
  checkOneLineError(runMnemo({"task", "--plot", ckpt}), {"--plot " + ckpt + " holds a training checkpoint"});
  CHECK(checkpointStep(dir / "run") == 4);
  // Any other file at --out is an output to replace, as before.
  writeText(dir / "old.npz", "not an archive");
  CHECK(runMnemo({"task", "--export-trials", "3", "--out", dir / "old.npz"}).code == 0);
  CHECK(readNpz(dir / "old.npz").has("inputs"));
}

TEST_CASE("newcomer: mnemo bench checks its random parameters against the memory limit, no std::bad_alloc", "[hostile][cli]") {
  // H = 99999 wants 75 GiB of random parameters, made before any graph is compiled (and checked).
  checkOneLineError(runMnemo({"bench", "--hidden", "99999", "--seq-len", "5", "--batch", "2", "--max-memory", "4G"}),
                    {"the random parameters and inputs of graph @rnn needs 74.51 GiB of memory, more than the limit of 4.00 GiB"});
}

TEST_CASE("newcomer: sweep values that are one number, and dump --stop-after past the pipeline, are refused", "[hostile][cli]") {
  TempDir dir("newcomer_sweep_dump");
  // Before: two points, lr=0.001 and lr=1e-3, trained the same run twice.
  checkOneLineError(runMnemo({"sweep", "--grid", "lr=0.001,3e-3,1e-3", "--out", dir / "s"}),
                    {"--grid 'lr=0.001,3e-3,1e-3': values '0.001' and '1e-3' of 'lr' are one number"});
  checkOneLineError(runMnemo({"sweep", "--grid", "seed=0:3,2", "--out", dir / "s"}), {"value '2' of 'seed' appears twice"});
  CHECK(!fs::exists(dir / "s"));
  // Before: the whole pipeline ran and printed, as if 99 were a pass.
  checkOneLineError(runMnemo({"dump", "notebook", "--pipeline", "train", "--stop-after", "99"}),
                    {"--stop-after 99: pipeline train has ", " passes"});
  // Before: --after 0 printed the input graph, although the help numbers the passes from 1.
  checkOneLineError(runMnemo({"dump", "notebook", "--pipeline", "train", "--after", "0"}),
                    {"--after 0: passes are numbered from 1; --after input prints the graph before them"});
  CHECK(runMnemo({"dump", "notebook", "--pipeline", "train", "--after", "input"}).code == 0);
}

TEST_CASE("newcomer: a fixed tensor's npy() file that never ends or is a directory is named, not read forever", "[hostile][cli]") {
  TempDir dir("newcomer_npy_file");
  std::string model = readFile(kExamples + "/notebook_rnn.mnemo");
  const std::string from = "param w_rr : [H, H] = kaiming_normal(1)";
  const size_t at = model.find(from);
  REQUIRE(at != std::string::npos);
  for (const std::string& file : {std::string("/dev/zero"), dir.path.string()}) {
    INFO(file);
    std::string edited = model;
    edited.replace(at, from.size(), "fixed w_rr : [H, H] = npy(\"" + file + "\")");
    writeText(dir / "m.mnemo", edited);
    // Before: /dev/zero was read until memory ran out; a directory was "not a .npy array (bad magic)".
    checkOneLineError(train(dir / "r", {"--steps", "1", "--model", dir / "m.mnemo"}),
                      {"bad values for fixed tensor 'w_rr': " + file + ": ",
                       file == "/dev/zero" ? "longer than a .npy array of shape (8, 8) can be" : "it is a directory, not a .npy file"});
  }
  CHECK(!fs::exists(dir / "r"));
}

TEST_CASE("newcomer: a run directory given as the checkpoint is named as one", "[hostile][cli]") {
  TempDir dir("newcomer_ckpt_dir");
  REQUIRE(train(dir / "run", {"--steps", "2"}).code == 0);
  // Before: "'<dir>' is not a valid .npz file (Operation not supported)".
  const std::string error = "checkpoint " + dir / "run" + " is a directory; give the checkpoint.npz in it";
  checkOneLineError(runMnemo({"analyze", "--checkpoint", dir / "run", "--trials", "2"}), {error});
  checkOneLineError(runMnemo({"fixedpoints", "--checkpoint", dir / "run", "--trials", "2"}), {error});
  checkOneLineError(train(dir / "other", {"--steps", "2", "--init", dir / "run"}), {error});
}

TEST_CASE("newcomer: a NUL byte in a sweep file or sweep.csv is named, not the end of the message", "[hostile][cli]") {
  TempDir dir("newcomer_sweep_nul");
  // The message quoted the line, and a NUL ended it: "bad parameter name 'seed".
  writeText(dir / "grid.txt", std::string("seed = 0\nlr = 1e-3,\0" "2\n", 22));
  checkOneLineError(runMnemo({"sweep", "--sweep-file", dir / "grid.txt", "--out", dir / "s"}),
                    {"grid.txt:2:11: a NUL byte (a sweep file is text)"});
  CHECK(!fs::exists(dir / "s"));
  fs::create_directories(dir / "t");
  writeText(dir / "t/sweep.csv", std::string("garbage\0\xff\n", 10));
  CliResult r = runMnemo({"sweep", "--grid", "seed=0", "--out", dir / "t"});
  checkOneLineError(r, {"sweep.csv holds a sweep over other parameters (its columns: garbage\\x00\\xff); choose another --out"});
}

TEST_CASE("newcomer: a checkpoint's unknown task and an IR graph given as --model are named", "[hostile][cli]") {
  TempDir dir("newcomer_task_gir");
  // Before: "unknown task 'Nope-v0' ..." as if the user had typed it.
  const std::string ckpt = editedCheckpoint(dir, [&](NpzArchive& npz) {
    replaceConfig(npz, "\"task\": \"DelayComparison-v0\"", "\"task\": \"Nope-v0\"");
  });
  const std::string error = "checkpoint " + ckpt + ": config \"task\": unknown task 'Nope-v0'";
  checkOneLineError(runMnemo({"analyze", "--checkpoint", ckpt, "--trials", "2", "--out", dir / "a"}), {error});
  checkOneLineError(train(dir / "resumed", {"--steps", "2", "--init", ckpt}, false), {error});
  // Before: "diamond.gir:1:15: unexpected character '%'" (the graph parsed as a model).
  const std::string gir = std::string(MNEMO_SOURCE_DIR) + "/tests/fixtures/diamond.gir";
  const std::string girError = "--model " + gir + ": an IR graph (.gir), not a model; train and grad take model files (.mnemo)";
  checkOneLineError(train(dir / "r", {"--steps", "1", "--model", gir}), {girError});
  checkOneLineError(runMnemo({"grad", "--model", gir, "--out", dir / "g.npz"}), {girError});
  CHECK(!fs::exists(dir / "r"));
  CHECK(!fs::exists(dir / "g.npz"));
}

TEST_CASE("newcomer: task --sigma inf is refused in words that fit it", "[hostile][cli]") {
  // Was "sigma must be >= 0, got inf", which inf is.
  checkOneLineError(runMnemo({"task", "--sigma", "inf"}), {"DelayComparison-v0: sigma must be a finite number >= 0, got inf"});
}

TEST_CASE("newcomer: a sweep stopped by a wrong train flag does not lock its directory to that flag", "[hostile][cli]") {
  TempDir dir("newcomer_sweep_args");
  const std::vector<std::string> tiny = {"--steps", "2", "--hidden", "8", "--seq-len", "5", "--batch", "2", "--workers", "1"};
  auto sweep = [&](std::vector<std::string> more) {
    std::vector<std::string> args = {"sweep", "--grid", "seed=0", "--out", dir / "s"};
    args.insert(args.end(), tiny.begin(), tiny.end());
    args.insert(args.end(), more.begin(), more.end());
    return runMnemo(args);
  };
  REQUIRE(sweep({"--stepz", "3"}).code != 0);  // every point would fail: the sweep stops, nothing recorded
  // Before: "s holds a sweep with other train flags (see s/sweep.args)" for the corrected command.
  CliResult fixed = sweep({});
  INFO(fixed.out << fixed.err);
  CHECK(fixed.code == 0);
  // Once a point is recorded, other flags are refused as before.
  checkOneLineError(sweep({"--lr", "3e-3"}), {"holds a sweep with other train flags"});
}

TEST_CASE("newcomer: an error quoting a huge name keeps its start and end, not 200000 characters", "[hostile][cli]") {
  TempDir dir("newcomer_long_name");
  writeText(dir / "m.mnemo", "model " + std::string(200000, 'a') + "\nsize I = 2\n");
  const CliResult r = runMnemo({"dump", dir / "m.mnemo"});
  // Before: a 200091-byte line. The problem (start) and what the model lacks (end) both stay.
  checkOneLineError(r, {"m.mnemo:3:1: model 'aaaa", " bytes left out ...] aaaa", "' declares no input (e.g. 'input x : f32[T, B, I]')"});
  CHECK(r.err.size() < 2200);
}

TEST_CASE("newcomer: a model too large to batch over time is refused by the memory it needs", "[hostile][cli]") {
  TempDir dir("newcomer_huge_model");
  const std::string run = dir / "run";
  // Before: "after pass 'time-batch': graph @rnn is invalid ... more than 68719476736 elements".
  checkOneLineError(train(run, {"--batch", "100000", "--hidden", "10000", "--steps", "1"}, /*tiny=*/false),
                    {"graph @rnn (", "of intermediate values) needs", "of memory, more than the limit of"});
  CHECK_FALSE(fs::exists(run));
}
