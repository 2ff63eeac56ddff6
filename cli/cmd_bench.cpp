// `mnemo bench`: times the forward pass and the full training step (fwd, bwd, Adam) of a model
// compiled with the optimizing pipeline and with the unfused one, in the same process on the
// same data. Repetitions of the variants are interleaved (alternating their order) so that a
// noisy, shared machine slows them alike; the report gives medians of wall and thread CPU time,
// the fused/unfused ratio, kernels per step, memory (peak, and what the memory plan's reuse
// saved) and compile time (passes, lowering). Then a roofline: the step's FLOPs and critical path
// (graph/cost.h) against the machine's own matmul throughput measured in the same run — its
// peak on a large matmul and what each of the step's matmul shapes reaches alone
// (runtime/matmul_probe.h) — and how far each step is from the bound they give.
#include <boost/program_options.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <time.h>

#include "cli/commands.h"
#include "training/graph_source.h"
#include "frontend/init.h"
#include "cli/cli_flags.h"
#include "support/error.h"
#include "graph/cost.h"
#include "graph/passes/pass_manager.h"
#include "ops/op_table.h"
#include "runtime/kernel_profile.h"
#include "runtime/matmul_probe.h"
#include "runtime/session.h"

namespace po = boost::program_options;

namespace mnemo {

namespace {

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point start) { return std::chrono::duration<double, std::milli>(Clock::now() - start).count(); }
/// CPU time of the calling thread in ms: unlike wall time it does not count the time the
/// thread waits while other processes run, so it is the steadier measure on a busy machine.
double threadCpuMs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

/// Values for every input and param of the forward graph, by name, shared by all variants.
struct BenchData {
  std::map<std::string, std::vector<float>> f32;
  std::map<std::string, std::vector<int64_t>> i64;
};

/// Classes of the loss that reads labels \p n (its logits' last dimension), or 2.
int64_t labelClasses(const Node* n) {
  for (const Use& u : n->uses())
    if (u.user->kind() == OpKind::SoftmaxXent && u.index == 1) return u.user->operand(0)->dims().back();
  return 2;
}

BenchData randomData(const Graph& g, uint64_t seed) {
  // Made before any graph is compiled (whose plan is checked against the memory limit), so checked
  // here: a param is held twice (its initialiser's values and the copy), an input once.
  double bytes = 0;
  for (const Node* n : g.nodes()) {
    const double count = static_cast<double>(n->type().numel());
    if (n->kind() == OpKind::Param) bytes += 2 * 4 * count;
    if (n->kind() == OpKind::Input) bytes += (n->type().dtype == DType::I64 ? 8 : 4) * count;
  }
  checkMemoryBudget(static_cast<size_t>(std::min(bytes, 1e18)), "the random parameters and inputs of graph @" + g.name());
  BenchData data;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> unit(0.f, 1.f);
  std::map<std::string, std::vector<float>> initial;
  try {
    initial = initParams(g, seed);  // a model's own initialisers, when every param has one
  } catch (const Error&) {
  }
  for (const Node* n : g.nodes()) {
    size_t count = static_cast<size_t>(n->type().numel());
    if (n->kind() == OpKind::Param) {
      if (initial.count(n->name())) {
        data.f32[n->name()] = initial[n->name()];
        continue;
      }
      float scale = n->type().rank() > 0 ? 1.f / std::sqrt(static_cast<float>(n->dims()[0])) : 1.f;
      std::vector<float>& v = data.f32[n->name()];
      for (size_t i = 0; i < count; ++i) v.push_back(scale * (2.f * unit(rng) - 1.f));
    } else if (n->kind() == OpKind::Input && n->type().dtype == DType::I64) {
      std::uniform_int_distribution<int64_t> cls(0, labelClasses(n) - 1);
      std::vector<int64_t>& v = data.i64[n->name()];
      for (size_t i = 0; i < count; ++i) v.push_back(cls(rng));
    } else if (n->kind() == OpKind::Input) {
      std::vector<float>& v = data.f32[n->name()];
      for (size_t i = 0; i < count; ++i) v.push_back(unit(rng));
    }
  }
  return data;
}

/// One compiled variant: a pipeline over its own copy of the graph, and its session.
struct Variant {
  std::string what;      // "forward" or "train"
  std::string pipeline;  // "infer", "train-unfused", ...
  bool train = false;
  std::unique_ptr<Graph> graph;
  std::unique_ptr<Session> session;
  double passMs = 0, lowerMs = 0;        // wall time of the passes and of lowering
  double passCpuMs = 0, lowerCpuMs = 0;  // the same in thread CPU time
  std::vector<double> times, cpuTimes;  // wall and thread CPU ms per step

  void step() {
    if (train) session->trainStep();
    else session->forward();
  }
  size_t kernels() const { return session->executable().kernelCount(train ? Stage::Opt : Stage::Fwd); }
};

Variant compile(const std::string& file, const ModelSizing& sizing, const std::string& pipeline, int threads,
                const BenchData& data) {
  Variant v;
  v.pipeline = pipeline;
  v.train = pipeline.rfind("train", 0) == 0;
  v.what = v.train ? "train" : "forward";
  v.graph = loadGraphSource(file, sizing).graph;
  if (v.train && v.graph->outputs().empty()) MNEMO_FAIL(file << ": graph @" << v.graph->name() << " returns no loss to train");
  auto start = Clock::now();
  double cpuStart = threadCpuMs();
  PassManager pm;
  buildPipeline(pipeline, pm);
  pm.run(*v.graph);
  v.passMs = msSince(start);
  v.passCpuMs = threadCpuMs() - cpuStart;
  start = Clock::now();
  cpuStart = threadCpuMs();
  CompileOptions opts;
  opts.threads = threads;
  v.session = std::make_unique<Session>(*v.graph, opts);
  v.lowerMs = msSince(start);
  v.lowerCpuMs = threadCpuMs() - cpuStart;
  for (const auto& [name, values] : data.f32) v.session->setF32(name, values);
  for (const auto& [name, values] : data.i64) v.session->setI64(name, values);
  if (v.train) v.session->setAdam(1e-3);
  return v;
}

double median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  size_t n = xs.size();
  return n % 2 ? xs[n / 2] : 0.5 * (xs[n / 2 - 1] + xs[n / 2]);
}

std::string loadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one.empty() ? "?" : one;
}

double kib(size_t bytes) { return static_cast<double>(bytes) / 1024.0; }

std::string formatMflop(double flops) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MFLOP", flops * 1e-6);
  return text;
}

/// The side of the square matmul whose 1-thread throughput is taken as the machine's peak.
constexpr int64_t kPeakSide = 512;

MatmulShape shapeOf(const Node& mm) {
  MatmulShape s;
  s.m = mm.dims()[0], s.n = mm.dims()[1];
  s.transposeA = mm.attr<bool>("transpose_a"), s.transposeB = mm.attr<bool>("transpose_b");
  const Dims& a = mm.operand(0)->dims();
  s.k = s.transposeA ? a[0] : a[1];
  return s;
}

std::string shapeText(const MatmulShape& s) {
  return std::to_string(s.m) + "x" + std::to_string(s.k) + "x" + std::to_string(s.n) +
         (s.transposeA ? " A^T" : "") + (s.transposeB ? " B^T" : "");
}

/// Prints the roofline of \p v (see the file comment and --help): its FLOPs and critical path,
/// the bound they give at \p threads threads with the measured 1-thread \p peak (GFLOP/s), and
/// the step's median against it; with \p shapes, one line per distinct matmul shape.
void printRoofline(const Variant& v, int threads, double peak,
                   std::map<std::pair<MatmulShape, MatmulEngine>, MatmulThroughput>& measured,
                   bool shapes) {
  GraphCost cost = graphCost(*v.graph, threads);
  const double stepMs = median(v.times);
  const double pathMs = cost.criticalPathThreaded / (peak * 1e6), spreadMs = cost.total / (threads * peak * 1e6);
  const double boundMs = std::max(pathMs, spreadMs);
  std::string pathAt = threads == 1 ? "critical path" : "critical path at " + std::to_string(threads) + " threads";
  std::printf("roofline %s %s: step %.3f ms | %.1f MFLOP (fwd %.1f, bwd %.1f, opt %.2f; %.0f%% matmul), critical path %.1f MFLOP%s"
              " | peak %.1f GFLOP/s (%lldx%lldx%lld matmul, 1 thread) | bound at %d thread%s %.4f ms = max(%s / peak %.4f,"
              " total / (threads*peak) %.4f) | step is %.2fx the bound (%.0f%%)\n",
              v.what.c_str(), v.pipeline.c_str(), stepMs, cost.total * 1e-6, cost.stage[0] * 1e-6, cost.stage[1] * 1e-6,
              cost.stage[2] * 1e-6, cost.total > 0 ? 100.0 * cost.matmul / cost.total : 0.0, cost.criticalPath * 1e-6,
              threads == 1 ? "" : (" (" + formatMflop(cost.criticalPathThreaded) + " at " + std::to_string(threads) + " threads)").c_str(),
              peak, static_cast<long long>(kPeakSide), static_cast<long long>(kPeakSide), static_cast<long long>(kPeakSide),
              threads, threads == 1 ? "" : "s", boundMs, pathAt.c_str(), pathMs, spreadMs, stepMs / boundMs,
              100.0 * boundMs / stepMs);
  if (!shapes) return;
  // Each shape is timed on the kernel the step runs it on: the micro-kernel inside its regions.
  const std::set<const Node*> onMicro = microKernelMatmuls(*v.graph);
  std::map<std::pair<MatmulShape, MatmulEngine>, int> count;
  for (const Node* mm : cost.matmuls)
    ++count[{shapeOf(*mm), onMicro.count(mm) ? MatmulEngine::Micro : MatmulEngine::OneDnn}];
  for (const auto& [key, n] : count) {
    const MatmulShape& shape = key.first;
    auto it = measured.find(key);
    if (it == measured.end()) it = measured.emplace(key, measureMatmul(shape, 1, 40, key.second)).first;
    const double flops = 2.0 * static_cast<double>(shape.m * shape.k * shape.n);
    std::printf("  matmul %-22s x%-4d %8.3f MFLOP each | alone on %-12s 1 thread: %7.2f us, %6.1f GFLOP/s (%.0f%% of peak)\n",
                shapeText(shape).c_str(), n, flops * 1e-6, (std::string(matmulEngineName(key.second)) + ",").c_str(),
                it->second.usPerCall, it->second.gflops, 100.0 * it->second.gflops / peak);
  }
}

/// Samples (kernels x steps) a profile keeps at once; a longer profile keeps each kernel's median
/// per chunk of kProfileChunk steps and reports the median of those.
constexpr size_t kMaxProfileSamples = size_t{1} << 23;
constexpr size_t kProfileChunk = 64;

/// `--profile`: \p steps more runs of \p v with every kernel timed, then its kernels grouped
/// (runtime/kernel_profile.h) by their medians, the \p top most costly groups one line each.
void printProfile(Variant& v, int steps, size_t top) {
  Executable& exe = v.session->executable();
  const size_t kernels = exe.kernels().size(), total = static_cast<size_t>(steps);
  const size_t chunkSteps = total * kernels <= kMaxProfileSamples ? total : kProfileChunk;
  std::vector<std::vector<double>> chunk(chunkSteps, std::vector<double>(kernels)), chunkMedians;
  size_t filled = 0;
  const double cpuStart = threadCpuMs();
  const auto start = Clock::now();
  for (size_t i = 0; i < total; ++i) {
    std::fill(chunk[filled].begin(), chunk[filled].end(), 0.0);
    exe.setProfile(&chunk[filled]);
    v.step();
    if (++filled == chunkSteps || i + 1 == total) {
      chunk.resize(filled);
      chunkMedians.push_back(kernelMedians(chunk));
      chunk.resize(chunkSteps, std::vector<double>(kernels));
      filled = 0;
    }
  }
  const double wallMs = msSince(start), cpuMs = threadCpuMs() - cpuStart;
  exe.setProfile(nullptr);
  std::vector<double> seconds = chunkMedians.size() == 1 ? chunkMedians[0] : kernelMedians(chunkMedians);
  for (double& s : seconds) s *= steps;  // as if every step took each kernel's median
  const std::vector<KernelGroup> groups = groupKernelTimes(exe, seconds);
  double sum = 0;
  for (const KernelGroup& g : groups) sum += g.seconds;
  const double perStepUs = 1e6 / steps;
  std::printf("\nprofile %s %s: %zu kernels in %zu groups, %d profiled steps: kernels take %.1f us per step "
              "(the sum of each kernel's median wall time; the profiled steps took %.1f us wall, %.1f us thread CPU, "
              "each on average; the timed median step %.1f us)\n",
              v.what.c_str(), v.pipeline.c_str(), exe.kernels().size(), groups.size(), steps, sum * perStepUs,
              wallMs * 1e3 / steps, cpuMs * 1e3 / steps, median(v.times) * 1e3);
  std::printf("  %6s %9s %7s  %-32s %-16s %s\n", "share", "us/step", "kernels", "op", "shape", "implementation");
  double shown = 0;
  size_t shownKernels = 0;
  for (size_t i = 0; i < std::min(top, groups.size()); ++i) {
    const KernelGroup& g = groups[i];
    shown += g.seconds, shownKernels += g.kernels;
    std::printf("  %5.1f%% %9.2f %7zu  %-32s %-16s %s\n", sum > 0 ? 100.0 * g.seconds / sum : 0.0,
                g.seconds * perStepUs, g.kernels, g.op.c_str(), g.shape.c_str(), g.impl.c_str());
  }
  if (groups.size() > top)
    std::printf("  %5.1f%% %9.2f %7zu  (%zu more groups)\n", sum > 0 ? 100.0 * (sum - shown) / sum : 0.0,
                (sum - shown) * perStepUs, exe.kernels().size() - shownKernels, groups.size() - top);
}

}  // namespace

int runBench(const Args& args) {
  po::options_description opts(
      "mnemo bench [options]\n\n"
      "Times the forward pass and the training step (fwd, bwd, Adam) of a model compiled without the\n"
      "graph optimizer (unfused), with it but every matmul on oneDNN (onednn), and with it and small\n"
      "matmuls on mnemo's micro-kernel (fused, the default), interleaving them, and reports medians\n"
      "and their ratios.\n\n"
      "Then a roofline per variant. FLOPs are counted per node of the compiled graph: matmul 2*M*K*N;\n"
      "an elementwise op 1 per element; a reduction 1 per operand element; softmax_xent 4 per logit\n"
      "(its gradient 5); adam_update 12 per parameter (sgd_update 4); shape ops and random draws 0; a\n"
      "fused region the sum of its ops. The critical path is the FLOP-weighted longest dependency\n"
      "chain through the graph (fwd, bwd and optimizer); at N threads a node of 1 MFLOP or more\n"
      "counts FLOPs/N on it (threads can share it), smaller ones whole. The peak is oneDNN's\n"
      "1-thread throughput on a 512x512x512 matmul, measured in the same run, as is each distinct\n"
      "matmul shape of the step alone (same transposes, 1 thread; best call, in thread CPU time).\n"
      "The bound is\n"
      "  max(critical path at the threads / peak, total FLOPs / (threads * peak)),\n"
      "a lower bound on the step at that peak; the step's median is reported against it.\n\nOptions");
  std::string model, what, only;
  int steps = 0, warmup = 0, threads = 1;
  std::string seedText;
  ModelSizing sizing;
  opts.add_options()("help,h", "show this help")
      ("model", po::value<std::string>(&model)->default_value(kBuiltinNotebook),
       "forward graph to compile: FILE.mnemo, FILE.gir or 'notebook' (the built-in notebook model)")
      ("what", po::value<std::string>(&what)->default_value("both"), "what to time: fwd, train or both")
      ("only", po::value<std::string>(&only), "time one variant alone, fused, onednn (fused, every matmul on oneDNN) or unfused (for profilers; no ratio)")
      ("steps", po::value<int>(&steps)->default_value(200), "timed repetitions of each variant")
      ("warmup", po::value<int>(&warmup)->default_value(20), "untimed repetitions of each variant first")
      ("threads", po::value<int>(&threads)->default_value(1), "OpenMP threads for oneDNN and for mnemo's loops over 32K elements or more (1 is fastest at "
       "the notebook's sizes; 2 pay off from about H=256, B=64)")
      ("seed", po::value<std::string>(&seedText)->default_value("0"), "seed for the random params and data")
      ("no-roofline", "skip the roofline (its matmul measurements take about a second)")
      ("profile", "after the timing, run each variant --steps more times with every kernel timed and print where "
       "the step's time goes: kernels grouped by op, shape and implementation, most costly first (each kernel's "
       "median wall time over the steps, so a step preempted on a busy machine does not count)");
  addSizingFlags(opts, sizing);
  po::variables_map vm;
  if (!parseCommandLine(args, opts, vm)) return 0;
  const uint64_t seed = parseSeed(seedText);
  noteSizingFlags(vm, sizing);
  if (what != "fwd" && what != "train" && what != "both") MNEMO_FAIL("--what must be fwd, train or both, got '" << what << "'");
  if (vm.count("only") && only != "fused" && only != "unfused" && only != "onednn")
    MNEMO_FAIL("--only must be fused, onednn or unfused, got '" << only << "'");
  if (steps < 1) MNEMO_FAIL("--steps must be at least 1, got " << steps);
  if (warmup < 0) MNEMO_FAIL("--warmup must be 0 or more, got " << warmup);
  checkCount(threads, limits::kMaxThreads, "--threads");

  GraphSource src = loadGraphSource(model, sizing);
  BenchData data = randomData(*src.graph, seed);
  std::vector<std::string> pipelines;
  // Per step kind, three variants: one kernel per op, fused with every matmul on oneDNN, and
  // fused with small matmuls on mnemo's micro-kernel (the default).
  if (what != "train") pipelines.insert(pipelines.end(), {"infer-unfused", "infer-onednn", "infer"});
  if (what != "fwd") pipelines.insert(pipelines.end(), {"train-unfused", "train-onednn", "train"});
  std::vector<Variant> variants;
  for (const std::string& p : pipelines) {
    std::string kind = p.find("-unfused") != std::string::npos ? "unfused" : p.find("-onednn") != std::string::npos ? "onednn" : "fused";
    if (only.empty() || only == kind) variants.push_back(compile(model, sizing, p, threads, data));
  }

  for (int i = 0; i < warmup; ++i)
    for (Variant& v : variants) v.step();
  for (int i = 0; i < steps; ++i) {
    for (size_t k = 0; k < variants.size(); ++k) {
      Variant& v = variants[i % 2 ? variants.size() - 1 - k : k];  // alternate the order
      double cpuStart = threadCpuMs();
      auto start = Clock::now();
      v.step();
      v.times.push_back(msSince(start));
      v.cpuTimes.push_back(threadCpuMs() - cpuStart);
    }
  }

  std::printf("mnemo bench | %s | %d thread%s | %d steps after %d warm-up, variants interleaved | load %s\n\n",
              src.describe().c_str(), threads, threads == 1 ? "" : "s", steps, warmup, loadAverage().c_str());
  std::printf("%-8s %-14s %9s %9s %9s %8s %10s %10s %10s %10s %9s %9s %9s %9s\n", "step", "pipeline", "median ms", "min ms", "cpu ms",
              "kernels", "peak KiB", "arena KiB", "no-reuse", "persist.", "passes ms", "lower ms", "pass cpu", "lower cpu");
  for (const Variant& v : variants) {
    const Executable& exe = v.session->executable();
    const MemoryPlan& plan = exe.plan();
    std::printf("%-8s %-14s %9.3f %9.3f %9.3f %8zu %10.1f %10.1f %10.1f %10.1f %9.1f %9.1f %9.1f %9.1f\n", v.what.c_str(),
                v.pipeline.c_str(), median(v.times), *std::min_element(v.times.begin(), v.times.end()), median(v.cpuTimes),
                v.kernels(),
                kib(plan.arenaBytes + exe.persistentBytes()), kib(plan.arenaBytes), kib(plan.unsharedBytes),
                kib(exe.persistentBytes()), v.passMs, v.lowerMs, v.passCpuMs, v.lowerCpuMs);
  }
  std::printf("\n");
  for (size_t k = 0; only.empty() && k + 2 < variants.size(); k += 3) {
    const Variant &plain = variants[k], &onednn = variants[k + 1], &fused = variants[k + 2];
    for (const Variant* other : {&plain, &onednn}) {
      const char* name = other == &plain ? "unfused" : "oneDNN-only";
      double a = median(other->times), b = median(fused.times);
      double cpuRatio = median(other->cpuTimes) / median(fused.cpuTimes);
      std::printf("%-8s fused %.3f ms vs %s %.3f ms: ratio %s/fused %.2fx (cpu time %.2fx); kernels %zu vs %zu (1/%.1f)\n",
                  fused.what.c_str(), b, name, a, name, a / b, cpuRatio, fused.kernels(), other->kernels(),
                  static_cast<double>(other->kernels()) / static_cast<double>(std::max<size_t>(fused.kernels(), 1)));
    }
  }
  const Variant& last = variants.back();
  const MemoryPlan& plan = last.session->executable().plan();
  std::printf("memory   %s: arena %.1f KiB where values without reuse would take %.1f KiB (reuse saves %.1f KiB, %.0f%%)\n",
              last.pipeline.c_str(), kib(plan.arenaBytes), kib(plan.unsharedBytes),
              kib(plan.unsharedBytes - std::min(plan.unsharedBytes, plan.arenaBytes)),
              plan.unsharedBytes ? 100.0 * (1.0 - static_cast<double>(plan.arenaBytes) / static_cast<double>(plan.unsharedBytes)) : 0.0);
  if (vm.count("profile"))
    for (Variant& v : variants) printProfile(v, steps, 15);
  if (vm.count("no-roofline")) return 0;
  std::printf("\n");
  const double peak = measureMatmul({kPeakSide, kPeakSide, kPeakSide}, 1, 150).gflops;
  std::map<std::pair<MatmulShape, MatmulEngine>, MatmulThroughput> measured;
  for (const Variant& v : variants) printRoofline(v, threads, peak, measured, &v == &variants.back());
  return 0;
}

}  // namespace mnemo
