// The reproducers of issue 13, fed to the `mnemo` executable exactly as a hostile user would:
// each gives one line on stderr naming the input and the limit or problem, a non-zero exit, and
// touches nothing but the run directory or the named output file (device nodes and FIFOs are
// written in place, never replaced).
#include <catch2/catch.hpp>

#include "hostile_cli.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <zip.h>

#include <filesystem>
#include <fstream>
#include <cmath>
#include <functional>
#include <regex>
#include <set>
#include <thread>

#include "training/checkpoint.h"
#include "training/run_lock.h"
#include "io/npz.h"
#include "raw_npy.h"

using namespace mnemo;
using mnemo::testing::rawNpy;
namespace fs = std::filesystem;
using testing::checkOneLineError;
using testing::CliResult;
using testing::editedCheckpoint;
using testing::errLines;
using testing::kExamples;
using testing::replaceConfig;
using testing::runMnemo;
using testing::TempDir;
using testing::train;
using testing::writeText;

namespace {

/// A .npz holding members with the given raw bytes (no checks: hostile content is the point).
void writeRawNpz(const std::string& path, const std::vector<std::pair<std::string, std::string>>& members) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  REQUIRE(z);
  for (const auto& [name, bytes] : members) {
    zip_source_t* src = zip_source_buffer(z, bytes.data(), bytes.size(), 0);
    REQUIRE(zip_file_add(z, (name + ".npy").c_str(), src, 0) >= 0);
  }
  REQUIRE(zip_close(z) == 0);
}

bool isCharDevice(const char* path) {
  struct stat st;
  return ::stat(path, &st) == 0 && S_ISCHR(st.st_mode);
}

}  // namespace

TEST_CASE("hostile 1: a --data array whose shape wraps the byte count to 0 is refused", "[hostile][cli]") {
  TempDir dir("hostile1");
  std::string data = dir / "wrap.npz";
  writeRawNpz(data, {{"inputs", rawNpy("{'descr': '|u1', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", "")},
                     {"labels", rawNpy("{'descr': '<i8', 'fortran_order': False, 'shape': (0,), }", "")}});
  checkOneLineError(train(dir / "run", {"--steps", "1", "--data", data}), {data, "array 'inputs'", "exceeds the limit"});
  CHECK(!fs::exists(dir / "run"));
}

TEST_CASE("hostile 2: a model nested or chained 10000 deep is one error, not a stack overflow", "[hostile][cli]") {
  TempDir dir("hostile2");
  const std::string head = "model deep\nsize I = 2, H = 4, O = 3\nconst a = ";
  writeText(dir / "parens.mnemo", head + std::string(10000, '(') + "1" + std::string(10000, ')') + "\n");
  std::string chain = head;
  for (int i = 0; i < 10000; ++i) chain += "1 + ";
  writeText(dir / "chain.mnemo", chain + "1\n");
  for (const char* f : {"parens.mnemo", "chain.mnemo"})
    checkOneLineError(runMnemo({"dump", dir / f}), {dir / f + ":3:", "nests deeper than 256 levels (the limit)"});
}

TEST_CASE("hostile 3: dimensions whose product overflows are refused", "[hostile][cli]") {
  TempDir dir("hostile3");
  checkOneLineError(runMnemo({"dump", "notebook", "--hidden", "4294967296"}), {"--hidden is 4294967296, more than the limit of 2147483647"});
  writeText(dir / "big.gir", "graph @g {\n  %x = input : f32[4294967296,4294967296]\n  %y = tanh(%x) : f32[4294967296,4294967296]\n  return %y\n}\n");
  checkOneLineError(runMnemo({"eval", dir / "big.gir"}), {dir / "big.gir:2:", "exceeds the limit of 2147483647"});
  std::string model = testing::readFile(kExamples + "/notebook_rnn.mnemo");
  model = std::regex_replace(model, std::regex("H = 64"), "H = 4294967296");
  REQUIRE(model.find("H = 4294967296") != std::string::npos);
  writeText(dir / "big.mnemo", model);
  checkOneLineError(runMnemo({"dump", dir / "big.mnemo"}), {dir / "big.mnemo:", "4294967296, more than the limit of 2147483647"});
}

TEST_CASE("hostile 4: replaying 10^15 steps, an unsatisfiable timing and T = 100000 fail fast", "[hostile][cli]") {
  TempDir dir("hostile4");
  std::string ckpt = editedCheckpoint(dir, [](NpzArchive& npz) { npz.add("step", NpyArray::scalar<int64_t>(1000000000000000)); });
  checkOneLineError(train(dir / "resumed", {"--steps", "1", "--init", ckpt}),
                    {"checkpoint " + ckpt, "step 1000000000000000 is outside [0, 1000000]"});
  std::string longSeq = editedCheckpoint(dir, [](NpzArchive& npz) { replaceConfig(npz, "\"seq_len\": 20", "\"seq_len\": 1000000"); });
  checkOneLineError(runMnemo({"train", "--no-progress", "--steps", "1", "--out", dir / "r2", "--init", longSeq}),
                    {"checkpoint " + longSeq, "seq_len is 1000000, more than the limit of 10000"});
  checkOneLineError(runMnemo({"task", "--timing", "delay=truncexp:1,1000,2000"}),
                    {"truncated_exponential(1, 1000, 2000)", "probability"});
  checkOneLineError(train(dir / "r3", {"--steps", "1", "--seq-len", "100000"}, false), {"--seq-len is 100000, more than the limit of 10000"});
  checkOneLineError(train(dir / "r4", {"--steps", "1000000000000000"}), {"--steps is 1000000000000000, more than the limit of 1000000"});
}

TEST_CASE("hostile 5: absurd sizes fail on the memory limit before allocating", "[hostile][cli]") {
  TempDir dir("hostile5");
  checkOneLineError(train(dir / "r1", {"--steps", "1", "--hidden", "100000", "--max-memory", "2G"}, false),
                    {"graph @rnn", "more than the limit of 2.00 GiB (--max-memory)"});
  checkOneLineError(train(dir / "r2", {"--steps", "1", "--batch", "2147483648"}, false), {"--batch is 2147483648, more than the limit"});
  checkOneLineError(train(dir / "r3", {"--steps", "1", "--batch", "2147483647"}, false), {"graph @rnn", "more than 68719476736 elements (the limit)"});
  writeText(dir / "wide.gir", "graph @wide {\n  %x = input : f32[2,1000000000]\n  %y = tanh(%x) : f32[2,1000000000]\n  return %y\n}\n");
  checkOneLineError(runMnemo({"eval", dir / "wide.gir", "--max-memory", "1G"}),
                    {dir / "wide.gir", "needs 29.80 GiB of memory, more than the limit of 1.00 GiB"});
  checkOneLineError(runMnemo({"eval", dir / "wide.gir", "--max-memory", "lots"}), {"bad --max-memory 'lots'"});
  for (const char* f : {"r1", "r2", "r3"}) CHECK(!fs::exists(dir / f));
}

TEST_CASE("hostile 6: trial lengths and indices that overflow an integer are refused", "[hostile][cli]") {
  TempDir dir("hostile6");
  checkOneLineError(runMnemo({"task", "--timing", "delay=1e12"}), {"period 'delay'", "more than the limit of 1000000"});
  checkOneLineError(runMnemo({"task", "--dt", "1e-9"}), {"period 'fixation'", "more than the limit of 1000000"});
  // An index literal far outside any dimension.
  std::string indexed = "model idx\nsize I = 2, O = 3\ninput x : f32[T, B, I]\ntarget labels : i64[T, B]\n"
                        "param w : [I, O] = kaiming_normal(1)\nstep t {\n  out o = x[1e30] @ w\n}\n"
                        "loss = cross_entropy(o, labels)\n";
  writeText(dir / "idx.mnemo", indexed);
  checkOneLineError(runMnemo({"dump", dir / "idx.mnemo"}), {"idx.mnemo:", "index 1e+30 is out of range"});
}

TEST_CASE("hostile 7: device nodes and FIFOs are written in place, never replaced", "[hostile][cli]") {
  TempDir dir("hostile7");
  if (isCharDevice("/dev/full")) {
    checkOneLineError(runMnemo({"task", "--plot", "/dev/full"}), {"cannot write '/dev/full': No space left on device"});
    CHECK(isCharDevice("/dev/full"));
  }
  if (isCharDevice("/dev/null")) {
    CliResult r = runMnemo({"task", "--export-trials", "1", "--out", "/dev/null"});
    CHECK(r.code == 0);
    CHECK(isCharDevice("/dev/null"));
  }
  // A FIFO with no reader is refused instead of blocking; with a reader it receives the file.
  std::string fifo = dir / "pipe.npz";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  checkOneLineError(runMnemo({"task", "--export-trials", "1", "--out", fifo}), {"cannot write '" + fifo + "': no process is reading it"});
  std::string received;
  std::thread reader([&] { received = testing::readFile(fifo); });
  // The writer retries until the reader has opened its end.
  CliResult r{1, "", ""};
  for (int i = 0; i < 50 && r.code != 0; ++i) {
    r = runMnemo({"task", "--export-trials", "1", "--out", fifo});
    if (r.code != 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (r.code != 0) ::close(::open(fifo.c_str(), O_WRONLY | O_NONBLOCK));  // let the reader see EOF
  reader.join();
  CHECK(r.code == 0);
  CHECK(received.compare(0, 2, "PK") == 0);
  struct stat st;
  REQUIRE(::stat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  // A symbolic link keeps pointing at its target, which gets the new contents.
  writeText(dir / "target.svg", "old");
  fs::create_symlink(dir / "target.svg", dir / "link.svg");
  CHECK(runMnemo({"task", "--plot", dir / "link.svg"}).code == 0);
  CHECK(fs::is_symlink(dir / "link.svg"));
  CHECK(testing::readFile(dir / "target.svg").find("<svg") != std::string::npos);
  // A directory is not a file to write.
  fs::create_directories(dir / "adir");
  checkOneLineError(runMnemo({"task", "--plot", dir / "adir"}), {"it is a directory"});
  // Nothing else appeared next to the outputs.
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir.path)) names.insert(e.path().filename().string());
  CHECK(names == std::set<std::string>{"adir", "link.svg", "pipe.npz", "target.svg"});
}

TEST_CASE("hostile 8: errors blame the input they come from", "[hostile][cli]") {
  TempDir dir("hostile8");
  std::string broken = editedCheckpoint(dir, [](NpzArchive& npz) { replaceConfig(npz, "\\nmodel rnn", "\\nmodel @@ rnn"); });
  CliResult r = runMnemo({"train", "--no-progress", "--steps", "1", "--out", dir / "r", "--init", broken});
  checkOneLineError(r, {"checkpoint " + broken + ": its model text (from examples/notebook_rnn.mnemo) is broken"});
  CHECK(errLines(r).find("mnemo train: examples/") == std::string::npos);
  checkOneLineError(runMnemo({"dump", "notebook", "--hidden", "9223372036854775807"}), {"--hidden is 9223372036854775807, more than the limit"});
  // A pass that rejects a .gir file names the file.
  const std::string gir = std::string(MNEMO_SOURCE_DIR) + "/tests/fixtures/diamond.gir";
  checkOneLineError(runMnemo({"dump", gir, "--pipeline", "train"}), {gir + ": adam: no parameter gradients"});
  // A NaN in --data names the file and where it is.
  std::string data = dir / "nan.npz";
  NpzArchive npz(data);
  std::vector<float> x(1 * 20 * 4 * 2, 0.5f);
  x[17] = std::nanf("");
  npz.add("inputs", NpyArray::from<float>({1, 20, 4, 2}, x));
  npz.add("labels", NpyArray::from<int64_t>({1, 20, 4}, std::vector<int64_t>(80, 1)));
  writeNpz(data, npz);
  checkOneLineError(train(dir / "r2", {"--steps", "1", "--data", data}), {"--data " + data, "(batch 0, t 2, b 0, channel 1) is not a finite number"});
}

TEST_CASE("hostile 9: no raw filesystem errors or control bytes reach the terminal", "[hostile][cli]") {
  TempDir dir("hostile9");
  REQUIRE(train(dir / "run", {"--steps", "2"}).code == 0);
  writeText(dir / "afile", "x");
  CliResult r = runMnemo({"analyze", "--checkpoint", dir / "run/checkpoint.npz", "--trials", "2", "--out", dir / "afile/sub"});
  checkOneLineError(r, {"--out " + dir / "afile/sub", "cannot create the directory"});
  CHECK(r.err.find("filesystem error") == std::string::npos);
  r = runMnemo({"dump", kExamples + "/gru.mnemo", "--pipeline", "train", "--dump-dir", "/dev/null"});
  checkOneLineError(r, {"--dump-dir /dev/null: cannot create the directory"});
  CHECK(r.err.find("filesystem error") == std::string::npos);
  writeText(dir / "esc.mnemo", "model esc\nsize I = 2\n\x1b[2J\x1b]0;owned\x07\n");
  r = runMnemo({"dump", dir / "esc.mnemo"});
  checkOneLineError(r, {"esc.mnemo:3:1", "\\x1b"});
  CHECK(r.err.find('\x1b') == std::string::npos);
  CHECK(r.err.find('\x07') == std::string::npos);
}

TEST_CASE("hostile 10: --seed -1, stale temporaries and a second writer", "[hostile][cli]") {
  TempDir dir("hostile10");
  REQUIRE(train(dir / "run", {"--steps", "2"}).code == 0);
  checkOneLineError(runMnemo({"analyze", "--checkpoint", dir / "run/checkpoint.npz", "--seed", "-1"}), {"bad --seed '-1'"});
  // Temporaries of a killed writer (a pid that is not running) are removed by the next run.
  writeText(dir / "run/checkpoint.npz.tmp.4194305.0", "partial");
  writeText(dir / "run/metrics.csv.tmp.4194305.3", "partial");
  REQUIRE(train(dir / "run", {"--steps", "2", "--init", dir / "run/checkpoint.npz"}).code == 0);
  for (const auto& e : fs::directory_iterator(dir / "run")) CHECK(e.path().filename().string().find(".tmp.") == std::string::npos);
  // While this process holds the directory, a train into it refuses and names this pid.
  {
    RunDirectoryLock held(dir / "run");
    checkOneLineError(train(dir / "run", {"--steps", "2", "--init", dir / "run/checkpoint.npz"}),
                      {"run directory " + dir / "run" + " is in use by another mnemo train (pid " + std::to_string(::getpid()) + ")"});
  }
  CHECK(train(dir / "run", {"--steps", "1", "--init", dir / "run/checkpoint.npz"}).code == 0);
}
