// `mnemo fixedpoints`: fixed and slow points of a trained network's state update h' = F(h, u) at
// a constant input u. Runs trials of the checkpoint's task as `mnemo analyze` does, samples the
// candidates from their states (plus noise), minimises q(h) = ½‖F(h, u) − h‖² for all of them in
// one graph compiled by mnemo (its autodiff and Adam passes), keeps and merges the points below
// the tolerance, classifies them by the eigenvalues of their Jacobians, prints a table, draws
// them over the PCA trajectories and exports everything. See analysis/fixed_points.h.
#include <boost/program_options.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "analysis/fixed_point_export.h"
#include "analysis/fixed_point_plot.h"
#include "analysis/fixed_points.h"
#include "analysis/pca.h"
#include "analysis/runner.h"
#include "cli/cli_flags.h"
#include "cli/commands.h"
#include "cli/trial_checks.h"
#include "training/graph_source.h"
#include "support/error.h"
#include "io/npz.h"
#include "io/svg.h"
#include "support/text.h"

namespace po = boost::program_options;

namespace mnemo {

namespace {

constexpr const char* kUsage =
    "usage: mnemo fixedpoints --checkpoint CKPT [options]\n"
    "Finds fixed and slow points of the trained network's state update h' = F(h, u) at a constant\n"
    "input u by minimising q(h) = 1/2 |F(h, u) - h|^2 from many candidate states at once (one\n"
    "batched graph; gradients from mnemo's autodiff, steps from its Adam pass); then --newton guarded\n"
    "Newton steps polish the candidates whose q is below --newton-below. The candidates are\n"
    "states the network visits on --trials trials of its task, plus Gaussian noise. Points with q\n"
    "below --tolerance are kept, points closer than --merge are merged, and each is classified by\n"
    "the eigenvalues of its Jacobian (autodiff, checked by finite differences): a mode with\n"
    "|lambda| > 1 is unstable. For a model with several states (an LSTM's h and c) the state is\n"
    "all of them concatenated in declaration order. Writes, to the run directory (default: the\n"
    "checkpoint's directory):\n"
    "  fixed_points.svg  the points over the PCA trajectories: stable filled, unstable open, with\n"
    "                    the leading unstable direction as a short line\n"
    "  fixed_points.npz  candidates, points, q, Jacobians, eigenvalues, PCA\n"
    "                    (layout: analysis/fixed_point_export.h)\n\n"
    "--input is a period of the task (the mean input over that period in the trials run; default\n"
    "fixation) or the input values themselves, comma-separated (e.g. 1,0.4 for DelayComparison-v0:\n"
    "fixation on, stimulus channel 0.4).\n\n"
    "A candidate whose descent diverges (q NaN or infinite, as with too large an --lr) is dropped\n"
    "and counted; if every candidate diverges the search stops with an error (exit code 1) and\n"
    "writes nothing. Finding no point below --tolerance is not an error: the smallest q is reported.\n\n"
    "example:\n"
    "  mnemo fixedpoints --checkpoint runs/notebook_rnn-seed0/checkpoint.npz --input delay\n\n";

double millisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

/// "1,0.4": the input values; anything else is "" and the text names a period.
bool parseValues(const std::string& text, std::vector<float>& values) {
  values.clear();
  size_t at = 0;
  while (at <= text.size()) {
    const size_t comma = std::min(text.find(',', at), text.size());
    const std::string part = text.substr(at, comma - at);
    char* end = nullptr;
    const double v = std::strtod(part.c_str(), &end);
    if (part.empty() || *end != '\0') return false;
    if (!std::isfinite(static_cast<float>(v)))  // 1e39 passed as a double and became inf as the float fed
      MNEMO_FAIL("--input " << text << ": '" << part << "' is not a finite number (inputs are float32)");
    values.push_back(static_cast<float>(v));
    at = comma + 1;
  }
  return true;
}

/// The mean input over period \p period of every trial of \p run.
std::vector<float> periodInput(const AnalysisRun& run, const std::string& period) {
  std::vector<double> sum(static_cast<size_t>(run.inputSize), 0.0);
  int64_t steps = 0;
  for (const TrialRecord& r : run.trials) {
    const PeriodSpan* span = r.trial.info.findPeriod(period);
    if (!span) continue;
    for (int t = span->start; t < span->end; ++t, ++steps)
      for (int c = 0; c < r.trial.obsSize; ++c) sum[static_cast<size_t>(c)] += r.trial.input(t, c);
  }
  if (steps == 0) {
    std::string known;
    for (const std::string& p : run.periodNames) known += (known.empty() ? "" : ", ") + p;
    MNEMO_FAIL("--input " << period << ": no step of the " << run.trials.size() << " trials of " << run.taskName
                          << " is in a period of that name (its periods: " << known
                          << "; or give the values, e.g. --input 1,0.5)");
  }
  std::vector<float> out;
  for (double s : sum) out.push_back(static_cast<float>(s / double(steps)));
  return out;
}

/// Every step of every trial as one row of the concatenated state, [S, D].
std::vector<float> concatenatedStates(const AnalysisRun& run, const StateLayout& layout) {
  std::vector<std::vector<float>> parts;
  for (const std::string& name : layout.names) parts.push_back(run.concatenatedState(name));
  const int64_t S = run.totalSteps();
  std::vector<float> out;
  out.reserve(static_cast<size_t>(S * layout.total));
  for (int64_t t = 0; t < S; ++t)
    for (size_t i = 0; i < parts.size(); ++i) {
      const auto row = parts[i].begin() + t * layout.sizes[i];
      out.insert(out.end(), row, row + layout.sizes[i]);
    }
  return out;
}

/// The error of a descent in which every candidate's q became NaN or infinite (\p when it was
/// seen), with the settings that can cause it: too large a rate, or candidates far out (--noise).
Error divergedError(const FixedPointOptions& opts, double noise, const std::string& when) {
  std::ostringstream os;
  os << "the descent diverged " << when << ": every candidate's q is NaN or infinite; lower --lr (now " << opts.learningRate
     << ", --final-lr " << opts.finalLearningRate << ") or --noise (now " << noise << ")";
  return Error(os.str());
}

std::string valuesText(const std::vector<float>& v) {
  std::string out = "[";
  char buf[32];
  for (size_t i = 0; i < v.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%g", i ? ", " : "", double(v[i]));
    out += buf;
  }
  return out + "]";
}

void printTable(const FixedPointSearch& s, const std::vector<double>& pcs) {
  std::printf("%4s  %11s  %8s  %9s  %9s  %9s  %7s\n", "#", "q", "unstable", "max|lam|", "PC1", "PC2", "merged");
  for (size_t i = 0; i < s.points.size(); ++i) {
    const FixedPoint& p = s.points[i];
    std::printf("%4zu  %11.3e  %8lld  %9.5f  %9.4f  %9.4f  %7lld\n", i, p.q, static_cast<long long>(p.unstableModes),
                std::abs(p.eigenvalues.front()), pcs[2 * i], pcs[2 * i + 1], static_cast<long long>(p.merged));
  }
}

}  // namespace

int runFixedPoints(const Args& args) {
  const auto start = std::chrono::steady_clock::now();
  CheckpointFlags files;
  std::string inputText = "fixation", seedText = "1000";
  int64_t trials = 50, candidates = 1000;
  FixedPointOptions opts;
  double noise = 0.01;
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help");
  addCheckpointFlags(desc, files, "fixed_points.svg and fixed_points.npz");
  desc.add_options()
      ("input", po::value(&inputText)->default_value("fixation"), "the constant input u: a task period or comma-separated values")
      ("candidates", po::value(&candidates)->default_value(1000), "number of candidate states")
      ("iterations", po::value(&opts.iterations)->default_value(opts.iterations), "Adam steps of the descent")
      ("lr", po::value(&opts.learningRate)->default_value(opts.learningRate), "Adam's learning rate at the first step")
      ("final-lr", po::value(&opts.finalLearningRate)->default_value(opts.finalLearningRate, "1e-5"), "... at the last step (geometric decay)")
      ("tolerance", po::value(&opts.tolerance)->default_value(opts.tolerance, "1e-6"), "keep candidates with q below this")
      ("merge", po::value(&opts.mergeDistance)->default_value(opts.mergeDistance), "merge points closer than this (Euclidean)")
      ("newton", po::value(&opts.newtonSteps)->default_value(opts.newtonSteps), "guarded Newton steps after Adam (0: none)")
      ("newton-below", po::value(&opts.newtonBelow)->default_value(opts.newtonBelow, "1e-4"), "... on the candidates whose q is below this")
      ("noise", po::value(&noise)->default_value(noise), "standard deviation of the noise added to the sampled states")
      ("trials", po::value(&trials)->default_value(50), "trials run to sample candidates from and to draw")
      ("seed", po::value(&seedText)->default_value("1000"), "seed of the trial stream and of the candidate sampling")
      ("no-fuse", "run one kernel per op (no optimizing passes)");
  po::variables_map vm;
  po::positional_options_description none;
  po::store(po::command_line_parser(args).options(desc).positional(none).run(), vm);
  if (vm.count("help")) {
    std::cout << kUsage << desc << "\n";
    return 0;
  }
  refuseEmptyValues(vm, desc);
  po::notify(vm);
  const uint64_t seed = parseSeed(seedText);
  checkCheckpointFlags(files);
  const std::string& checkpointPath = files.checkpoint;
  if (trials < 1 || trials > 100000) MNEMO_FAIL("--trials must be between 1 and 100000, got " << trials);
  if (candidates < 1 || candidates > 1000000) MNEMO_FAIL("--candidates must be between 1 and 1000000, got " << candidates);
  if (opts.iterations < 1 || opts.iterations > 10000000)
    MNEMO_FAIL("--iterations must be between 1 and 10000000, got " << opts.iterations);
  for (auto [flag, v] : {std::pair<const char*, double>{"--lr", opts.learningRate}, {"--final-lr", opts.finalLearningRate},
                         {"--tolerance", opts.tolerance}})
    if (!(v > 0) || !std::isfinite(v)) MNEMO_FAIL(flag << " must be a positive number, got " << v);
  if (!(opts.mergeDistance >= 0) || !std::isfinite(opts.mergeDistance))
    MNEMO_FAIL("--merge must be a non-negative number, got " << opts.mergeDistance);
  if (opts.newtonSteps < 0 || opts.newtonSteps > 100) MNEMO_FAIL("--newton must be between 0 and 100, got " << opts.newtonSteps);
  if (!(opts.newtonBelow > 0) || !std::isfinite(opts.newtonBelow))
    MNEMO_FAIL("--newton-below must be a positive number, got " << opts.newtonBelow);
  if (!(noise >= 0) || !std::isfinite(noise)) MNEMO_FAIL("--noise must be a non-negative number, got " << noise);
  opts.fuse = !vm.count("no-fuse");
  Checkpoint ckpt = loadCheckpointWithOverrides(files);
  std::cout << "mnemo fixedpoints: " << checkpointPath << " (" << ckpt.config.modelFile << ", step " << ckpt.step
            << ")\n";

  // The network's own trajectories: where the candidates come from and what the picture shows.
  std::unique_ptr<Task> task = analysisTask(ckpt.config);
  makeDirectories(files.outDir, "--out");  // before the search: an --out that cannot be made fails at once
  CompileCache cache(ckpt, checkpointPath, {}, opts.fuse);
  AnalysisRun run = runTrials(cache, *task, static_cast<int>(trials), seed);
  checkFiniteTrials(run, files);
  std::vector<float> input;
  const bool explicitInput = parseValues(inputText, input);
  if (!explicitInput) input = periodInput(run, inputText);
  if (static_cast<int64_t>(input.size()) != run.inputSize)
    MNEMO_FAIL("--input " << inputText << ": " << input.size() << " values, but the model takes " << run.inputSize
                          << " inputs per step");
  StateLayout layout;
  for (const std::string& name : cache.states()) {
    layout.names.push_back(name);
    layout.sizes.push_back(run.stateSizes.at(name));
    layout.total += run.stateSizes.at(name);
  }
  const std::vector<float> visited = concatenatedStates(run, layout);
  const std::vector<float> initial = sampleCandidates(visited, layout.total, candidates, noise, seed + 1);
  std::string stateText;
  for (size_t i = 0; i < layout.names.size(); ++i)
    stateText += (i ? " + " : "") + layout.names[i] + "[" + std::to_string(layout.sizes[i]) + "]";
  std::cout << "state h = " << stateText << " (D = " << layout.total << "), input u = " << valuesText(input)
            << (explicitInput ? "" : " (mean over the '" + inputText + "' period)") << "\n"
            << candidates << " candidates sampled from the " << run.totalSteps() << " states of " << trials
            << " trials of " << run.taskName << " (seed " << seed << ") plus noise N(0, " << noise << "^2)\n";
  std::cout.flush();

  // The descent, with progress lines.
  FixedPointSearch search = findFixedPoints(
      ckpt, input, initial, opts, [&](int64_t it, int64_t total, double medianQ, double minQ, int64_t below) {
        if (!std::isfinite(minQ)) throw divergedError(opts, noise, "at step " + std::to_string(it) + " of " + std::to_string(total));
        std::printf("  step %lld/%lld: median q %.3e, smallest q %.3e, %lld below the tolerance\n",
                    static_cast<long long>(it), static_cast<long long>(total), medianQ, minQ,
                    static_cast<long long>(below));
        std::fflush(stdout);
      });
  const int64_t kept = std::count_if(search.finalQ.begin(), search.finalQ.end(),
                                     [&](float q) { return q < opts.tolerance; });
  std::vector<float> finiteQ;
  for (float q : search.finalQ)
    if (std::isfinite(q)) finiteQ.push_back(q);
  if (finiteQ.empty()) throw divergedError(opts, noise, "by its last step");
  std::printf("descent: %lld Adam steps on %lld candidates in %.2f s (compiled in %.0f ms)\n",
              static_cast<long long>(opts.iterations), static_cast<long long>(candidates), search.descentMs / 1000,
              search.compileMs);
  if (opts.newtonSteps > 0)
    std::printf("Newton polish (%lld steps, candidates with q < %g): %lld candidates improved in %.0f ms\n",
                static_cast<long long>(opts.newtonSteps), opts.newtonBelow, static_cast<long long>(search.newtonImproved),
                search.newtonMs);
  std::printf("%lld of %lld candidates have q < %g; merged (distance < %g) into %zu points\n",
              static_cast<long long>(kept), static_cast<long long>(candidates), opts.tolerance, opts.mergeDistance,
              search.points.size());
  const size_t diverged = search.finalQ.size() - finiteQ.size();
  if (diverged)
    std::printf("%zu of %lld candidates diverged (q NaN or infinite) and are dropped; a smaller --lr (now %g) keeps them\n",
                diverged, static_cast<long long>(candidates), opts.learningRate);
  if (search.points.empty()) {
    std::vector<float> q = finiteQ;
    std::sort(q.begin(), q.end());
    std::printf("no fixed point found: the smallest q is %.3e (median %.3e); these are slow points at best "
                "(try more --iterations or a larger --tolerance)\n",
                double(q.front()), double(q[q.size() / 2]));
  }

  // PCA of the trajectories in the fixed points' space, the table and the files.
  const int64_t S = run.totalSteps();
  if (S < 2 || layout.total < 2) MNEMO_FAIL("the PCA picture needs at least two time points and two state values");
  Pca pca = fitPca(visited.data(), static_cast<size_t>(S), static_cast<size_t>(layout.total), 2);
  const std::vector<double> projected = pca.transform(visited.data(), static_cast<size_t>(S));
  std::vector<double> pcs;
  for (const FixedPoint& p : search.points) {
    const std::vector<double> at = pca.transform(p.state.data(), 1);
    pcs.insert(pcs.end(), at.begin(), at.end());
  }
  if (!search.points.empty()) {
    printTable(search, pcs);
    std::printf("Jacobians by autodiff; central finite differences (step %g) differ by at most %.3e\n",
                opts.finiteDifferenceStep, search.jacobianCheck);
  }
  const std::string svg = (std::filesystem::path(files.outDir) / "fixed_points.svg").string();
  const std::string npz = (std::filesystem::path(files.outDir) / "fixed_points.npz").string();
  writeSvg(svg, fixedPointFigure(run, pca, projected, search));
  writeNpz(npz, exportFixedPoints(search, pca, opts.tolerance));
  std::cout << "wrote " << svg << "\nwrote " << npz << "\n";
  std::printf("total %.2f s (Jacobians and eigenvalues %.0f ms)\n", millisecondsSince(start) / 1000,
              search.jacobianMs);
  return 0;
}

}  // namespace mnemo
