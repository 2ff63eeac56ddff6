// The optimizer's command line, run as a separate process: `mnemo dump` with a pipeline (the
// final graph, --after, --dump-dir, --format dot, --explain-fusion, --pass-stats), its one-line
// errors, and `mnemo bench` on a small model.
#include <algorithm>
#include <catch2/catch.hpp>

#include "cli_runner.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "frontend/ir/parser.h"
#include "graph/printer.h"

using namespace mnemo;
namespace fs = std::filesystem;

namespace {

const std::string kModel = (fs::path(MNEMO_SOURCE_DIR) / "examples" / "notebook_rnn.mnemo").string();
/// The notebook model, small enough for quick runs.
const std::vector<std::string> kSmall = {"--seq-len", "3", "--batch", "2", "--hidden", "4"};

using Run = testing::CliResult;
const auto& readAll = testing::readFile;
const auto& lines = testing::lineCount;

/// Runs `mnemo ARGS... MORE...`.
Run runCli(std::vector<std::string> args, const std::vector<std::string>& more = {}) {
  args.insert(args.end(), more.begin(), more.end());
  return testing::runMnemo(args);
}

/// The lines of \p text that start with \p prefix.
std::vector<std::string> linesStarting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> found;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);)
    if (line.rfind(prefix, 0) == 0) found.push_back(line);
  return found;
}

}  // namespace

TEST_CASE("cli dump: the train pipeline with --explain-fusion prints fused regions and refusal comments",
          "[cli][optimizer]") {
  Run r = runCli({"dump", kModel, "--pipeline", "train", "--explain-fusion"}, kSmall);
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.err.empty());
  CHECK(r.out.rfind("// mnemo dump | graph @rnn | pipeline train | 12 of 12 passes run | nodes ", 0) == 0);
  CHECK(r.out.find(" = fused(") != std::string::npos);
  CHECK(r.out.find("{kernel=\"micro\", kind=\"matmul\"}") != std::string::npos);  // the recurrent steps
  CHECK(r.out.find("// fuse-matmul-epilogue: matmul %") != std::string::npos);
  auto refusals = linesStarting(r.out, "// fuse-elementwise: no-fuse ");
  CHECK_FALSE(refusals.empty());
  CHECK_FALSE(linesStarting(r.out, "// fuse-matmul-epilogue: epilogue of ").empty());
  // The whole output is still IR text: the comments are ignored by the parser.
  auto g = parseGraph(r.out, "<stdout>");
  CHECK(g->find("loss"));
  // Without --explain-fusion the same graph, and no comments after it.
  Run quiet = runCli({"dump", kModel, "--pipeline", "train"}, kSmall);
  REQUIRE(quiet.code == 0);
  CHECK(printGraph(*parseGraph(quiet.out, "<quiet>")) == printGraph(*g));
  CHECK(linesStarting(quiet.out, "// ").size() == 1);
}

TEST_CASE("cli dump: --dump-dir writes numbered files and --after prints one pass's output", "[cli][optimizer]") {
  fs::path dir = fs::temp_directory_path() / ("mnemo_cliopt_dumps_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  Run r = runCli({"dump", kModel, "--pipeline", "train", "--dump-dir", dir.string()}, kSmall);
  INFO(r.err);
  REQUIRE(r.code == 0);
  const char* expected[] = {"rnn.00.input.gir",    "rnn.01.autodiff.gir", "rnn.02.adam.gir",
                            "rnn.03.simplify.gir", "rnn.04.cse.gir",      "rnn.05.dce.gir",
                            "rnn.06.time-batch.gir", "rnn.07.simplify.gir", "rnn.08.cse.gir",
                            "rnn.09.dce.gir",      "rnn.10.transpose-once.gir", "rnn.11.fuse-matmul-epilogue.gir",
                            "rnn.12.fuse-elementwise.gir"};
  for (const char* name : expected) CHECK(fs::exists(dir / name));
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 13);
  // The last file is the graph printed on stdout.
  auto last = parseGraphFile((dir / "rnn.12.fuse-elementwise.gir").string());
  CHECK(printGraph(*last) == printGraph(*parseGraph(r.out, "<stdout>")));

  // --after by name and by index print exactly that pass's dump file.
  std::string timeBatch = readAll(dir / "rnn.06.time-batch.gir");
  Run byName = runCli({"dump", kModel, "--pipeline", "train", "--after", "time-batch"}, kSmall);
  REQUIRE(byName.code == 0);
  CHECK(byName.out == timeBatch);
  CHECK(byName.out.rfind("// mnemo dump | graph @rnn | 06.time-batch | changed | nodes ", 0) == 0);
  CHECK(byName.out.find("fused(") == std::string::npos);  // fusion comes later
  Run byIndex = runCli({"dump", kModel, "--pipeline", "train", "--after", "6"}, kSmall);
  REQUIRE(byIndex.code == 0);
  CHECK(byIndex.out == timeBatch);
  // A name that occurs twice prints the graph after each occurrence.
  Run twice = runCli({"dump", kModel, "--pipeline", "train", "--after", "simplify"}, kSmall);
  REQUIRE(twice.code == 0);
  CHECK(twice.out == readAll(dir / "rnn.03.simplify.gir") + readAll(dir / "rnn.07.simplify.gir"));
  // all: the input and every pass.
  Run all = runCli({"dump", kModel, "--pipeline", "train", "--after", "all"}, kSmall);
  REQUIRE(all.code == 0);
  CHECK(linesStarting(all.out, "// mnemo dump | graph @rnn | ").size() == 13);
  fs::remove_all(dir);
}

TEST_CASE("cli dump: --format dot, --stop-after, --disable-pass and --pass-stats", "[cli][optimizer]") {
  Run dot = runCli({"dump", kModel, "--pipeline", "infer", "--format", "dot"}, kSmall);
  INFO(dot.err);
  REQUIRE(dot.code == 0);
  CHECK(dot.out.rfind("// mnemo dump | graph @rnn | pipeline infer | ", 0) == 0);
  CHECK(dot.out.find("\ndigraph \"rnn\" {\n") != std::string::npos);
  CHECK(dot.out.substr(dot.out.size() - 2) == "}\n");
  // A fused region's box says what it runs.
  // (On the micro-kernel the step also holds its input projection as a second product.)
  const bool stepBox = dot.out.find("fused (matmul):\\nmatmul → add → add → relu") != std::string::npos ||
                       dot.out.find("fused (matmul):\\nmatmul → matmul → add → add → relu") != std::string::npos;
  CHECK(stepBox);

  Run stats = runCli({"dump", kModel, "--pipeline", "train", "--stop-after", "5", "--disable-pass", "cse", "--pass-stats"},
                    kSmall);
  REQUIRE(stats.code == 0);
  CHECK(stats.out.find("| pipeline train | 4 of 12 passes run |") != std::string::npos);
  auto table = linesStarting(stats.out, "//  ");
  REQUIRE(table.size() == 13);  // the heading and one row per pass
  CHECK(std::regex_search(table[1], std::regex(R"(^//\s+1\s+autodiff\s+[0-9.]+\s+\d+\s+\d+\s+changed$)")));
  CHECK(std::regex_search(table[4], std::regex(R"(^//\s+4\s+cse\s+-\s+-\s+-\s+skipped$)")));
  CHECK(std::regex_search(table[6], std::regex(R"(^//\s+6\s+time-batch .*skipped$)")));
  CHECK(stats.out.find("fused(") == std::string::npos);

  // Without a pipeline a model file prints its forward graph, as the DSL unrolled it.
  Run plain = runCli({"dump", kModel}, kSmall);
  REQUIRE(plain.code == 0);
  CHECK(plain.out.rfind("graph @rnn {", 0) == 0);
  CHECK(plain.out.find(".stage bwd") == std::string::npos);
  CHECK(plain.out.find("%h_3") != std::string::npos);
}

TEST_CASE("cli dump: bad optimizer flags give one line and a non-zero exit", "[cli][optimizer]") {
  std::string gir = (fs::path(MNEMO_SOURCE_DIR) / "tests" / "fixtures" / "rnn_step.gir").string();
  struct Bad {
    std::vector<std::string> args;
    std::string message;
  };
  const Bad cases[] = {
      {{"dump", kModel, "--pipeline", "fast"}, "mnemo dump: --pipeline must be none, train, train-unfused, train-onednn, train-sgd, train-sgd-unfused, infer, infer-unfused, infer-onednn, got 'fast'"},
      {{"dump", kModel, "--pipeline", "train", "--after", "nosuchpass"}, "mnemo dump: --after: no pass 'nosuchpass' in pipeline train"},
      {{"dump", kModel, "--pipeline", "train", "--stop-after", "-3"}, "mnemo dump: --stop-after must be 0 or more, got -3"},
      {{"dump", kModel, "--pipeline", "train", "--after", "40"}, "mnemo dump: --after 40: pipeline train has 12 passes"},
      {{"dump", kModel, "--pipeline", "train", "--disable-pass", "cse,fold"}, "mnemo dump: --disable-pass: no pass 'fold' in pipeline train"},
      {{"dump", kModel, "--pipeline", "train", "--stop-after", "2", "--after", "time-batch"},
       "mnemo dump: --after time-batch: pass 6 (time-batch) did not run"},
      {{"dump", kModel, "--after", "dce"}, "mnemo dump: --after needs a pipeline"},
      {{"dump", kModel, "--explain-fusion"}, "mnemo dump: --explain-fusion needs a pipeline"},
      {{"dump", gir, "--batch", "4"}, "mnemo dump: " + gir + ": an IR file has fixed shapes"},
      {{"dump", kModel, "--batch", "0"}, "mnemo dump: --batch must be positive, got 0"},
      {{"dump", kModel, "--size", "H"}, "mnemo dump: --size wants NAME=VALUE"},
      {{"dump", kModel, "--size", "Q=3"}, "mnemo dump: "},  // the DSL names the unknown size
      {{"dump", "model.txt"}, "mnemo dump: model.txt: unknown kind of file"},
      {{"bench", "--what", "sideways"}, "mnemo bench: --what must be fwd, train or both, got 'sideways'"},
      {{"bench", "--steps", "0"}, "mnemo bench: --steps must be at least 1, got 0"},
      {{"bench", "--model", "/nonexistent/m.mnemo"}, "mnemo bench: "},
  };
  for (const Bad& c : cases) {
    Run r = runCli(c.args);
    std::string shown;
    for (const std::string& a : c.args) shown += " " + a;
    INFO("mnemo" << shown << " -> " << r.err);
    CHECK(r.code != 0);
    CHECK(r.out.empty());
    CHECK(r.err.rfind(c.message, 0) == 0);
    CHECK(lines(r.err) == 1);
  }
}

TEST_CASE("cli bench: a small model prints the table and the fused/unfused ratio", "[cli][optimizer][bench]") {
  Run r = runCli({"bench", "--model", kModel, "--steps", "5", "--warmup", "1", "--seq-len", "8", "--batch", "4", "--hidden", "8"});
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  CHECK(r.err.empty());
  CHECK(r.out.find("B=4 H=8 I=2 O=3 T=8") != std::string::npos);
  for (const char* row : {"forward  infer-unfused ", "forward  infer-onednn ", "forward  infer ", "train    train-unfused ",
                          "train    train-onednn ", "train    train "})
    CHECK(r.out.find(row) != std::string::npos);
  CHECK(std::regex_search(r.out, std::regex(R"(train +fused [0-9.]+ ms vs oneDNN-only [0-9.]+ ms: ratio oneDNN-only/fused [0-9.]+x)")));
  std::smatch m;
  REQUIRE(std::regex_search(r.out, m, std::regex(R"(train +fused ([0-9.]+) ms vs unfused ([0-9.]+) ms: ratio unfused/fused ([0-9.]+)x \(cpu time ([0-9.]+)x\); kernels (\d+) vs (\d+))")));
  double fused = std::stod(m[1]), plain = std::stod(m[2]), ratio = std::stod(m[3]);
  CHECK(fused > 0);
  // The times are printed to 0.001 ms, so the ratio lies within what those roundings allow (a
  // fused step of a few microseconds moves the quotient of the printed times by several percent).
  const double half = 0.0005;
  CHECK(ratio >= 0.99 * (plain - half) / (fused + half));
  CHECK(ratio <= 1.01 * (plain + half) / std::max(fused - half, 1e-9));
  CHECK(std::stod(m[4]) > 0);
  CHECK(std::stoi(m[5]) < std::stoi(m[6]));  // fewer kernels fused
  CHECK(r.out.find("reuse saves") != std::string::npos);

  Run fwd = runCli({"bench", "--what", "fwd", "--steps", "3", "--warmup", "0", "--seq-len", "4", "--batch", "2"});
  REQUIRE(fwd.code == 0);
  CHECK(fwd.out.find("forward  fused ") != std::string::npos);
  CHECK(fwd.out.find("train-unfused") == std::string::npos);

  Run help = runCli({"bench", "--help"});
  CHECK(help.code == 0);
  CHECK(help.out.find("--steps") != std::string::npos);
  Run usage = runCli({"--help"});
  CHECK(usage.out.find("  bench ") != std::string::npos);
}
