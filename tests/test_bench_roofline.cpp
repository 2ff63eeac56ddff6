// `mnemo bench`'s roofline: the line per variant (FLOPs, critical path, measured peak, bound and
// the step against it) and a line per matmul shape, with its arithmetic consistent with itself
// and its FLOPs those of graph/cost.h on the same compiled graph.
#include <catch2/catch.hpp>

#include <regex>

#include "cli_runner.h"
#include "frontend/dsl/model.h"
#include "graph/cost.h"
#include "pass_test_util.h"
#include "runtime/kernels/micro_gemm.h"

using namespace mnemo;
using namespace mnemo::testing;

TEST_CASE("cli bench: the roofline line and one line per matmul shape", "[cli][bench][cost]") {
  CliResult r = runMnemo({"bench", "--what", "train", "--steps", "3", "--warmup", "1", "--seq-len", "30", "--batch", "16",
                          "--hidden", "64", "--threads", "2"});
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  std::smatch m;
  REQUIRE(std::regex_search(
      r.out, m,
      std::regex(R"(roofline train train: step ([0-9.]+) ms \| ([0-9.]+) MFLOP \(fwd [0-9.]+, bwd [0-9.]+, opt [0-9.]+; (\d+)% matmul\), critical path ([0-9.]+) MFLOP \(([0-9.]+) MFLOP at 2 threads\) \| peak ([0-9.]+) GFLOP/s \(512x512x512 matmul, 1 thread\) \| bound at 2 threads ([0-9.]+) ms = max\(critical path at 2 threads / peak ([0-9.]+), total / \(threads\*peak\) ([0-9.]+)\) \| step is ([0-9.]+)x the bound)")));
  const double step = std::stod(m[1]), total = std::stod(m[2]), path = std::stod(m[4]), path2 = std::stod(m[5]);
  const double peak = std::stod(m[6]), bound = std::stod(m[7]), pathMs = std::stod(m[8]), spreadMs = std::stod(m[9]);
  const double times = std::stod(m[10]);
  CHECK(peak > 1);
  CHECK(path <= total);
  CHECK(path2 <= path);
  // Within what the printed roundings allow (MFLOP to 0.1, GFLOP/s to 0.1, bounds to 0.0001 ms,
  // the step to 0.001 ms).
  CHECK(pathMs == Approx(path2 / peak).epsilon(0.02).margin(0.0002));
  CHECK(spreadMs == Approx(total / (2 * peak)).epsilon(0.02).margin(0.0002));
  CHECK(bound == Approx(std::max(pathMs, spreadMs)).margin(0.0001));
  CHECK(times >= 0.99 * (step - 0.0005) / (bound + 0.00005));
  CHECK(times <= 1.01 * (step + 0.0005) / (bound - 0.00005));

  // The same FLOPs as graph/cost.h counts on the train pipeline's graph of that model.
  ModelOptions opts;
  opts.batch = 16, opts.seqLen = 30, opts.sizeOverrides["H"] = 64;
  Model model = loadNotebookModel(opts);
  auto g = cloneGraph(*model.graph);
  PassManager pm;
  buildPipeline("train", pm);
  pm.run(*g);
  GraphCost cost = graphCost(*g, 2);
  CHECK(total == Approx(cost.total * 1e-6).margin(0.051));
  CHECK(path == Approx(cost.criticalPath * 1e-6).margin(0.051));
  CHECK(path2 == Approx(cost.criticalPathThreaded * 1e-6).margin(0.051));

  // One line per distinct shape, whose counts add up to the graph's matmuls.
  std::regex shapeLine(R"(  matmul (\d+)x(\d+)x(\d+)[ A-Z^]* x(\d+) +[0-9.]+ MFLOP each \| alone on (oneDNN|micro-kernel), +1 thread: +[0-9.]+ us, +([0-9.]+) GFLOP/s)");
  int matmuls = 0, lines = 0, onMicro = 0;
  for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), shapeLine); it != std::sregex_iterator(); ++it) {
    matmuls += std::stoi((*it)[4]);
    onMicro += (*it)[5] == "micro-kernel";
    CHECK(std::stod((*it)[6]) > 0);
    ++lines;
  }
  CHECK(lines >= 3);
  // The fused variant's small products run on the micro-kernel where the CPU has one for them.
  if (cpuSupports(GemmIsa::Avx2)) CHECK(onMicro > 0);
  else CHECK(onMicro == 0);
  CHECK(matmuls == static_cast<int>(cost.matmuls.size()));

  CliResult quiet = runMnemo({"bench", "--what", "train", "--steps", "1", "--warmup", "0", "--seq-len", "4", "--no-roofline"});
  REQUIRE(quiet.code == 0);
  CHECK(quiet.out.find("roofline") == std::string::npos);
  CliResult help = runMnemo({"bench", "--help"});
  CHECK(help.out.find("critical path") != std::string::npos);
}
