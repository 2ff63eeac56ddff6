// End-to-end tests of `mnemo task`: plotting, exporting trials and batches, and one-line errors
// with a non-zero exit for bad flags.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/npz.h"

using namespace mnemo;

namespace {

// Temporary directories, removed when the test program exits.
std::string tempDir() {
  static struct Dirs {
    std::vector<std::string> list;
    ~Dirs() {
      for (const std::string& d : list) std::filesystem::remove_all(d);
    }
  } dirs;
  char tmpl[] = "/tmp/mnemo_task_XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  dirs.list.push_back(tmpl);
  return tmpl;
}

struct Run {
  int code;
  std::string out, err;
};

Run runMnemo(const std::string& args) {
  const std::string dir = tempDir();
  const std::string out = dir + "/out", err = dir + "/err";
  const std::string cmd = std::string(MNEMO_BINARY) + " task " + args + " >" + out + " 2>" + err;
  int status = std::system(cmd.c_str());
  auto slurp = [](const std::string& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

std::string tempPath(const std::string& name) { return tempDir() + "/" + name; }

}  // namespace

TEST_CASE("mnemo task --help and the default summary", "[task][cli]") {
  Run help = runMnemo("--help");
  CHECK(help.code == 0);
  CHECK(help.out.find("--export-batches") != std::string::npos);
  Run summary = runMnemo("--seed 3");
  CHECK(summary.code == 0);
  CHECK(summary.out.find("DelayComparison-v0") != std::string::npos);
  // The notebook preset carries 'response', which names no period: one warning line.
  CHECK(summary.err.find("'response'") != std::string::npos);
  Run quiet = runMnemo("--preset task");
  CHECK(quiet.code == 0);
  CHECK(quiet.err.empty());
}

TEST_CASE("mnemo task --plot writes an SVG", "[task][cli]") {
  const std::string path = tempPath("trials.svg");
  Run r = runMnemo("--trials 4 --plot " + path);
  REQUIRE(r.code == 0);
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  CHECK(ss.str().find("<svg") != std::string::npos);
  CHECK(ss.str().find("stimulus2") != std::string::npos);
}

TEST_CASE("mnemo task --export-batches writes N x T x B x 2 float32 and N x T x B int64", "[task][cli]") {
  const std::string path = tempPath("b.npz");
  Run r = runMnemo("--export-batches 3 --batch-size 4 --seq-len 50 --seed 7 --out " + path);
  REQUIRE(r.code == 0);
  NpzArchive a = readNpz(path);
  a.get("inputs", NpyType::Float32, {3, 50, 4, 2});
  a.get("labels", NpyType::Int64, {3, 50, 4});
  CHECK(a.get("seed", NpyType::Int64, {}, true).values<int64_t>()[0] == 7);
  const int64_t k = a.get("trial_batch").shape[0];
  CHECK(k > 3 * 4);
  a.get("trial_v1", NpyType::Float64, {k});
  a.get("trial_period_delay", NpyType::Int64, {k, 2});
  // Same seed, same file contents.
  const std::string again = tempPath("b.npz");
  REQUIRE(runMnemo("--export-batches 3 --batch-size 4 --seq-len 50 --seed 7 --out " + again).code == 0);
  CHECK(readNpz(again).get("inputs").bytes == a.get("inputs").bytes);
}

TEST_CASE("mnemo task --export-trials writes padded trials with metadata", "[task][cli]") {
  const std::string path = tempPath("t.npz");
  Run r = runMnemo("--export-trials 6 --out " + path);
  REQUIRE(r.code == 0);
  NpzArchive a = readNpz(path);
  const NpyArray& in = a.get("inputs", NpyType::Float32, {6, -1, 2});
  const int64_t tmax = in.shape[1];
  a.get("labels", NpyType::Int64, {6, tmax});
  std::vector<int64_t> lengths = a.get("lengths", NpyType::Int64, {6}).values<int64_t>();
  for (int64_t len : lengths) CHECK((len == 18 || len == 20 || len == 24 || len == 32 || len == 48));
  a.get("ground_truth", NpyType::Int64, {6});
  a.get("period_decision", NpyType::Int64, {6, 2});
}

TEST_CASE("mnemo task: bad flags and values give one line and a non-zero exit", "[task][cli]") {
  for (const char* bad : {"--bogus", "--trials 0", "--trials abc", "--seed -1", "--task Nope",
                          "--timing delay", "--timing delay=wobble:3", "--export-trials 5",
                          "--out x.npz", "--preset nonsense", "--dt -5", "--sigma -1",
                          "--task PerceptualDecisionMaking-v0 --preset notebook", "stray",
                          "--export-trials 2 --export-batches 2 --out x.npz",
                          "--export-trials 2 --out /nonexistent-dir/x.npz"}) {
    INFO(bad);
    Run r = runMnemo(bad);
    CHECK(r.code != 0);
    // One error line (after any warning lines).
    const size_t pos = r.err.find("mnemo task:");
    REQUIRE(pos != std::string::npos);
    CHECK(r.err.find('\n', pos) == r.err.size() - 1);
  }
}
