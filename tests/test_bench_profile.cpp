// `mnemo bench --profile`: every kernel of a compiled step timed and grouped (op, shape,
// implementation). The grouping is checked on known per-kernel times; the command's table on
// its own arithmetic (every kernel in exactly one row, shares adding up to 100%).
#include <catch2/catch.hpp>

#include <regex>

#include "cli_runner.h"
#include "frontend/dsl/model.h"
#include "graph/passes/pass_manager.h"
#include "runtime/kernel_profile.h"
#include "runtime/session.h"

using namespace mnemo;
using namespace mnemo::testing;

TEST_CASE("groupKernelTimes: one group per op, shape and implementation, most time first", "[bench][profile]") {
  ModelOptions o;
  o.batch = 4, o.seqLen = 6;
  Model m = parseModel(notebookModelSource(), "notebook", o);
  PassManager pm;
  buildPipeline("train", pm);
  pm.run(*m.graph);
  Session s(*m.graph);
  const Executable& exe = s.executable();
  const size_t n = exe.kernels().size();
  // Kernel i "took" i + 1 seconds: each group's time is the sum over its members.
  std::vector<double> seconds(n);
  for (size_t i = 0; i < n; ++i) seconds[i] = static_cast<double>(i + 1);
  const std::vector<KernelGroup> groups = groupKernelTimes(exe, seconds);
  size_t kernels = 0;
  double total = 0;
  for (size_t i = 0; i < groups.size(); ++i) {
    kernels += groups[i].kernels;
    total += groups[i].seconds;
    if (i) CHECK(groups[i - 1].seconds >= groups[i].seconds);
  }
  CHECK(kernels == n);
  CHECK(total == Approx(static_cast<double>(n * (n + 1) / 2)));
  CHECK(groups.size() < n);  // the recurrent steps share a group
  CHECK(groups.front().kernels >= 5);
  std::vector<double> wrong(n + 1, 0.0);
  CHECK_THROWS_WITH(groupKernelTimes(exe, wrong), Catch::Contains("needs " + std::to_string(n) + " entries"));
}

TEST_CASE("kernelMedians: a preempted step does not move a kernel's time", "[bench][profile]") {
  // Three kernels over five steps; step 3 was paused 10 ms inside kernel 1.
  std::vector<std::vector<double>> steps = {
      {1e-6, 5e-6, 2e-6}, {1.2e-6, 5.1e-6, 2e-6}, {0.9e-6, 10e-3, 2.1e-6}, {1.1e-6, 4.9e-6, 1.9e-6}, {1e-6, 5e-6, 2e-6}};
  std::vector<double> m = kernelMedians(steps);
  REQUIRE(m.size() == 3);
  CHECK(m[0] == Approx(1e-6));
  CHECK(m[1] == Approx(5e-6));
  CHECK(m[2] == Approx(2e-6));
  steps.pop_back();  // an even count: the mean of the two middle values
  m = kernelMedians(steps);
  CHECK(m[0] == Approx(1.05e-6));
  CHECK(m[1] == Approx(5.05e-6));
  CHECK(kernelMedians({}).empty());
  CHECK_THROWS_WITH(kernelMedians({{1.0, 2.0}, {1.0}}), Catch::Contains("has 1 kernel times, the first 2"));
}

TEST_CASE("cli bench --profile: a table per variant whose rows cover every kernel once", "[cli][bench][profile]") {
  CliResult r = runMnemo({"bench", "--what", "train", "--steps", "3", "--warmup", "1", "--seq-len", "20", "--only", "fused",
                          "--profile", "--no-roofline"});
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  std::smatch head;
  REQUIRE(std::regex_search(r.out, head,
                            std::regex(R"(profile train train: (\d+) kernels in (\d+) groups, 3 profiled steps: kernels take ([0-9.]+) us per step)")));
  const int kernels = std::stoi(head[1]), groups = std::stoi(head[2]);
  std::regex row(R"(\n +([0-9.]+)% +([0-9.]+) +(\d+)  )");
  int rows = 0, covered = 0;
  double share = 0;
  for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), row); it != std::sregex_iterator(); ++it) {
    share += std::stod((*it)[1]);
    covered += std::stoi((*it)[3]);
    ++rows;
  }
  CHECK(covered == kernels);
  CHECK(share == Approx(100.0).margin(0.1 * rows));
  CHECK(rows == std::min(groups, 15) + (groups > 15 ? 1 : 0));
}
