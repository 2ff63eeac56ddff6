// The `mnemo` command line, run as a separate process: `eval` prints a finite loss, `dump`
// prints IR text or a digraph, and every error (a bad flag, a malformed file) is exactly one
// line on stderr with a non-zero exit code.
#include <catch2/catch.hpp>

#include "cli_runner.h"

#include <sys/wait.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <unistd.h>

#include "support/error.h"
#include "frontend/ir/parser.h"
#include "graph/printer.h"

using namespace mnemo;
namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = fs::path(MNEMO_SOURCE_DIR) / "tests" / "fixtures";

using testing::CliResult;
using testing::lineCount;
using testing::runMnemo;
const auto& slurp = testing::readFile;

}  // namespace

TEST_CASE("cli: eval on rnn_step.gir prints a finite loss", "[cli]") {
  CliResult r = runMnemo({"eval", (kFixtures / "rnn_step.gir").string()});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.err.empty());
  std::smatch m;
  REQUIRE(std::regex_search(r.out, m, std::regex(R"(^%loss : f32\[\] = (\S+)\n)")));
  double loss = std::stod(m[1].str());
  CHECK(std::isfinite(loss));
  CHECK(loss > 0);  // a cross-entropy of random logits over 3 classes is positive
  CHECK(r.out.find("\n%logits : f32[4,3] =") != std::string::npos);

  // The same seed gives the same numbers; another seed gives other ones.
  CHECK(runMnemo({"eval", (kFixtures / "rnn_step.gir").string()}).out == r.out);
  CHECK(runMnemo({"eval", "--seed", "7", (kFixtures / "rnn_step.gir").string()}).out != r.out);
}

TEST_CASE("cli: eval runs a three-stage training graph", "[cli]") {
  CliResult r = runMnemo({"eval", (kFixtures / "train_stages.gir").string()});
  INFO(r.err);
  REQUIRE(r.code == 0);
  std::smatch m;
  REQUIRE(std::regex_search(r.out, m, std::regex(R"(^%loss : f32\[\] = (\S+)\n$)")));
  CHECK(std::isfinite(std::stod(m[1].str())));
  CliResult fwd = runMnemo({"eval", "--stage", "fwd", (kFixtures / "train_stages.gir").string()});
  CHECK(fwd.code == 0);
  CHECK(fwd.out == r.out);  // the loss is computed before any update
}

TEST_CASE("cli: dump prints the IR text of the parsed graph", "[cli]") {
  fs::path file = kFixtures / "rnn_unrolled3.gir";
  CliResult r = runMnemo({"dump", file.string()});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out == printGraph(*parseGraphFile(file.string())));
}

TEST_CASE("cli: dump --format dot prints a digraph", "[cli]") {
  CliResult r = runMnemo({"dump", "--format", "dot", (kFixtures / "rnn_step.gir").string()});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.rfind("digraph \"rnn_step\" {\n", 0) == 0);
  CHECK(r.out.find("n_x -> n_0;") != std::string::npos);
  CHECK(r.out.find("n_loss [penwidth=3];") != std::string::npos);
  CHECK(r.out.substr(r.out.size() - 2) == "}\n");
}

TEST_CASE("cli: bad flags and arguments give one line and a non-zero exit", "[cli]") {
  std::string file = (kFixtures / "rnn_step.gir").string();
  struct Bad {
    std::vector<std::string> args;
    std::string message;
  };
  const Bad cases[] = {
      {{"dump", "--bogus", file}, "mnemo dump: unrecognised option '--bogus'"},
      {{"dump", "--format", "svg", file}, "mnemo dump: --format must be ir or dot, got 'svg'"},
      {{"dump", "--format"}, "mnemo dump: the required argument for option '--format' is missing"},
      {{"dump"}, "mnemo dump: no graph file given (usage: mnemo dump FILE.gir)"},
      {{"dump", "/nonexistent/graph.gir"}, "mnemo dump: /nonexistent/graph.gir: cannot open file"},
      {{"dump", file, "extra.gir"}, "mnemo dump: too many positional options have been specified"},
      {{"eval", "--stage", "train", file}, "mnemo eval: --stage must be fwd, bwd or opt, got 'train'"},
      {{"eval", "--seed", "many", file}, "mnemo eval: bad --seed 'many': expected a non-negative integer"},
      {{"eval", "--seed", "-1", file}, "mnemo eval: bad --seed '-1': expected a non-negative integer"},
      {{"frobnicate"}, "mnemo: unknown command 'frobnicate'"},
  };
  for (const Bad& c : cases) {
    CliResult r = runMnemo(c.args);
    INFO("mnemo " << c.args[0] << (c.args.size() > 1 ? " " + c.args[1] : "") << " -> " << r.err);
    CHECK(r.code != 0);
    CHECK(r.out.empty());
    CHECK(r.err.rfind(c.message, 0) == 0);
    if (c.args[0] != "frobnicate") CHECK(lineCount(r.err) == 1);  // an unknown command adds the usage
  }
}

TEST_CASE("cli: dump on every malformed fixture prints one line with its line:col", "[cli]") {
  size_t seen = 0;
  for (const auto& entry : fs::directory_iterator(kFixtures / "bad")) {
    if (entry.path().extension() != ".gir") continue;
    ++seen;
    std::string file = entry.path().string();
    // The in-process diagnostic ("file:line:col: message") is what the CLI must print.
    std::string expected;
    try {
      parseGraphFile(file);
    } catch (const Error& e) {
      expected = e.what();
    }
    INFO(file);
    REQUIRE(std::regex_search(expected, std::regex("^" + std::regex_replace(file, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
                                                   R"(:\d+:\d+: )")));
    CliResult r = runMnemo({"dump", file});
    CHECK(r.code == 1);
    CHECK(r.out.empty());
    CHECK(r.err == "mnemo dump: " + expected + "\n");
    CHECK(lineCount(r.err) == 1);
  }
  CHECK(seen >= 11);
}
