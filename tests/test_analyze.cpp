// The pieces of `mnemo analyze`: the compile cache (one compile per distinct trial length, fwd
// stage only), single-trial execution against a hand-written ReLU RNN, the .npz export (shapes
// and values), PCA on synthetic data and against an independent eigen-decomposition of the
// exported activity, and the psychometric tally on synthetic observers.
#include <catch2/catch.hpp>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <set>
#include <unistd.h>

#include "analysis/behavior.h"
#include "analysis/export.h"
#include "analysis/pca.h"
#include "analysis/runner.h"
#include "training/checkpoint.h"
#include "frontend/dsl/model.h"
#include "training/trainer.h"
#include "support/error.h"
#include "io/npz.h"
#include "tasks/rng.h"

using namespace mnemo;
namespace fs = std::filesystem;

namespace {

fs::path tempDir(const std::string& tag) {
  fs::path d = fs::temp_directory_path() / ("mnemo_analyze_" + tag + "_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

/// A briefly trained notebook checkpoint (30 Adam steps), made once per process.
const Checkpoint& smallCheckpoint() {
  static const Checkpoint ckpt = [] {
    TrainOptions o;
    o.run.modelFile = kNotebookModelFile;
    o.run.modelSource = notebookModelSource();
    o.run.steps = 30;
    o.outDir = tempDir("ckpt").string();
    o.overwrite = true;  // a run left by an earlier process of the same pid is scratch
    train(o);
    return loadCheckpoint((fs::path(o.outDir) / "checkpoint.npz").string());
  }();
  return ckpt;
}

}  // namespace

TEST_CASE("the compile cache compiles once per distinct trial length and runs only fwd", "[analyze]") {
  std::vector<ShapeKey> reported;
  CompileCache cache(smallCheckpoint(), "small.npz", [&](const ShapeKey& k, double ms) {
    reported.push_back(k);
    CHECK(ms > 0);
  });
  std::unique_ptr<Task> task = analysisTask(smallCheckpoint().config);
  AnalysisRun run = runTrials(cache, *task, 40, 7);

  std::set<int> lengths;
  for (const TrialRecord& r : run.trials) lengths.insert(r.trial.length());
  REQUIRE(lengths.size() >= 2);  // 40 trials over five equally likely lengths
  CHECK(cache.compiles() == lengths.size());
  REQUIRE(reported.size() == lengths.size());
  std::set<int> reportedLengths;
  for (const ShapeKey& k : reported) {
    CHECK(k.batch == 1);
    reportedLengths.insert(static_cast<int>(k.seqLen));
  }
  CHECK(reportedLengths == lengths);  // each length reported exactly once
  for (int len : lengths) CHECK(len >= 18);
  for (int len : lengths) CHECK(len <= 48);

  // Running more trials of known lengths compiles nothing new.
  runTrials(cache, *task, 40, 7);
  CHECK(cache.compiles() == lengths.size());

  // An inference session: no backward or optimizer kernels, no Adam state.
  CompiledModel& cm = cache.get({1, *lengths.begin()});
  CHECK(cm.session->executable().kernelCount(Stage::Fwd) == cm.session->executable().kernelCount(Stage::Opt));
  CHECK(cm.graph().find("w_rr.m") == nullptr);
  CHECK(cache.compiles() == lengths.size());
}

TEST_CASE("a single trial runs from a zero state and matches a hand-written ReLU RNN", "[analyze]") {
  const Checkpoint& ckpt = smallCheckpoint();
  CompileCache cache(ckpt, "small.npz");
  std::unique_ptr<Task> task = analysisTask(ckpt.config);
  Rng rng(3);
  for (int n = 0; n < 4; ++n) {
    Trial trial = task->newTrial(rng);
    const int T = trial.length();
    TrialRecord r = runTrial(cache, trial);
    const int H = 64, I = 2, O = 3;
    REQUIRE(r.hidden.size() == static_cast<size_t>(T * H));
    REQUIRE(r.logits.size() == static_cast<size_t>(T * O));
    const auto& wir = ckpt.params.at("w_ir").values;
    const auto& wrr = ckpt.params.at("w_rr").values;
    const auto& brr = ckpt.params.at("b_rr").values;
    const auto& wro = ckpt.params.at("w_ro").values;
    const auto& bro = ckpt.params.at("b_ro").values;
    std::vector<double> h(H, 0.0), next(H);
    double worst = 0;
    for (int t = 0; t < T; ++t) {
      for (int j = 0; j < H; ++j) {
        double a = brr[j];
        for (int i = 0; i < I; ++i) a += trial.input(t, i) * wir[i * H + j];
        for (int k = 0; k < H; ++k) a += h[k] * wrr[k * H + j];
        next[j] = std::max(a, 0.0);  // alpha = dt/tau = 1
      }
      h = next;
      for (int j = 0; j < H; ++j) worst = std::max(worst, std::fabs(h[j] - r.hidden[t * H + j]));
      for (int o = 0; o < O; ++o) {
        double z = bro[o];
        for (int k = 0; k < H; ++k) z += h[k] * wro[k * O + o];
        worst = std::max(worst, std::fabs(z - r.logits[t * O + o]));
      }
    }
    CHECK(worst < 1e-4);
    // The choice is the argmax at the decision step (the last step, label = ground truth).
    CHECK(r.decisionStep == T - 1);
    const float* z = &r.logits[(T - 1) * O];
    int64_t best = z[1] > z[0] ? 1 : 0;
    if (z[2] > z[best]) best = 2;
    CHECK(r.choice == best);
    CHECK(r.correct == (best == trial.info.groundTruth));
  }
}

TEST_CASE("a checkpoint whose parameters do not fit its model is a one-line error", "[analyze]") {
  Checkpoint bad = smallCheckpoint();
  bad.config.sizes["H"] = 48;
  try {
    CompileCache cache(bad, "bad.npz");
    FAIL("no error");
  } catch (const Error& e) {
    std::string msg = e.what();
    CHECK(msg.find('\n') == std::string::npos);
    CHECK(msg.find("bad.npz") != std::string::npos);
    CHECK(msg.find("%w_ir") != std::string::npos);
    CHECK(msg.find("[2,64]") != std::string::npos);
    CHECK(msg.find("[2,48]") != std::string::npos);
  }
  Checkpoint missing = smallCheckpoint();
  missing.params.erase("b_ro");
  CHECK_THROWS_WITH(CompileCache(missing, "m.npz"), Catch::Contains("checkpoint m.npz has no values for %b_ro"));
}

TEST_CASE("the export has the documented shapes and agrees with the in-memory run", "[analyze]") {
  CompileCache cache(smallCheckpoint(), "small.npz");
  std::unique_ptr<Task> task = analysisTask(smallCheckpoint().config);
  AnalysisRun run = runTrials(cache, *task, 25, 11);
  const std::vector<float> act = run.concatenatedHidden();
  const int64_t S = run.totalSteps(), N = 25;
  Pca pca = fitPca(act.data(), static_cast<size_t>(S), 64, 2);
  const std::vector<double> proj = pca.transform(act.data(), static_cast<size_t>(S));
  fs::path file = tempDir("export") / "activity.npz";
  writeNpz(file.string(), exportAnalysis(run, pca, proj));
  NpzArchive d = readNpz(file.string());

  CHECK(d.get("hidden", NpyType::Float32, {S, 64}).size() == static_cast<size_t>(S * 64));
  d.get("logits", NpyType::Float32, {S, 3});
  d.get("inputs", NpyType::Float32, {S, 2});
  d.get("labels", NpyType::Int64, {S});
  d.get("trial_index", NpyType::Int64, {S});
  for (const char* name : {"trial_start", "length", "ground_truth", "choice", "decision_step"})
    d.get(name, NpyType::Int64, {N});
  d.get("correct", NpyType::UInt8, {N});
  for (const char* name : {"v1", "v2", "pair", "delay_ms"}) d.get(name, NpyType::Float64, {N});
  for (const char* name : {"fixation", "stimulus1", "delay", "stimulus2", "decision"})
    d.get(std::string("period_") + name, NpyType::Int64, {N, 2});
  d.get("pca_mean", NpyType::Float64, {64});
  d.get("pca_components", NpyType::Float64, {2, 64});
  d.get("pca_explained_variance_ratio", NpyType::Float64, {2});
  d.get("pca_projection", NpyType::Float64, {S, 2});
  d.get("dt", NpyType::Float64, {}, true);
  d.get("seed", NpyType::Int64, {}, true);
  d.get("accuracy", NpyType::Float64, {}, true);

  const auto hidden = d.get("hidden").values<float>();
  const auto logits = d.get("logits").values<float>();
  const auto inputs = d.get("inputs").values<float>();
  const auto labels = d.get("labels").values<int64_t>();
  const auto index = d.get("trial_index").values<int64_t>();
  const auto start = d.get("trial_start").values<int64_t>();
  const auto choice = d.get("choice").values<int64_t>();
  const auto correct = d.get("correct").values<uint8_t>();
  const auto gt = d.get("ground_truth").values<int64_t>();
  const auto v1 = d.get("v1").values<double>();
  const auto v2 = d.get("v2").values<double>();
  const auto delay = d.get("period_delay").values<int64_t>();
  const auto length = d.get("length").values<int64_t>();
  int64_t expectStart = 0;
  for (int64_t i = 0; i < N; ++i) {
    const TrialRecord& r = run.trials[static_cast<size_t>(i)];
    const int T = r.trial.length();
    REQUIRE(start[i] == expectStart);
    CHECK(length[i] == T);
    CHECK(std::equal(r.hidden.begin(), r.hidden.end(), hidden.begin() + start[i] * 64));
    CHECK(std::equal(r.logits.begin(), r.logits.end(), logits.begin() + start[i] * 3));
    CHECK(std::equal(r.trial.inputs.begin(), r.trial.inputs.end(), inputs.begin() + start[i] * 2));
    CHECK(std::equal(r.trial.labels.begin(), r.trial.labels.end(), labels.begin() + start[i]));
    CHECK(index[start[i]] == i);
    CHECK(index[start[i] + T - 1] == i);
    CHECK(choice[i] == r.choice);
    CHECK(correct[i] == (r.choice == r.trial.info.groundTruth ? 1 : 0));
    CHECK(gt[i] == r.trial.info.groundTruth);
    CHECK(v1[i] == r.trial.info.param("v1"));
    CHECK(v2[i] == r.trial.info.param("v2"));
    CHECK(delay[2 * i] == r.trial.info.period("delay").start);
    CHECK(delay[2 * i + 1] == r.trial.info.period("delay").end);
    expectStart += T;
  }
  CHECK(expectStart == S);
  CHECK(d.get("accuracy").values<double>()[0] == Approx(run.decisionAccuracy()));
  CHECK(d.get("seed").values<int64_t>()[0] == 11);
  const auto ratio = d.get("pca_explained_variance_ratio").values<double>();
  CHECK(ratio[0] == pca.explainedVarianceRatio[0]);
  CHECK(ratio[1] == pca.explainedVarianceRatio[1]);
  CHECK(d.get("pca_projection").values<double>() == proj);
}

TEST_CASE("PCA recovers a known low-dimensional structure", "[analyze][pca]") {
  // 10-D points: mean m + 3 a u + 1 b v + 0.01 noise, u and v orthonormal, a, b ~ N(0, 1).
  const size_t n = 4000, f = 10;
  std::mt19937_64 gen(5);
  std::normal_distribution<double> norm(0, 1);
  Eigen::MatrixXd q = Eigen::HouseholderQR<Eigen::MatrixXd>(Eigen::MatrixXd::Random(f, f)).householderQ();
  Eigen::VectorXd u = q.col(0), v = q.col(1);
  std::vector<float> data(n * f);
  std::vector<double> a(n);
  for (size_t r = 0; r < n; ++r) {
    a[r] = norm(gen);
    const double b = norm(gen);
    for (size_t c = 0; c < f; ++c)
      data[r * f + c] = static_cast<float>(5.0 + c + 3 * a[r] * u(c) + b * v(c) + 0.01 * norm(gen));
  }
  Pca p = fitPca(data.data(), n, f, 2);
  REQUIRE(p.components.size() == 2);
  Eigen::Map<const Eigen::VectorXd> c0(p.components[0].data(), f), c1(p.components[1].data(), f);
  CHECK(std::fabs(c0.dot(u)) > 0.9999);
  CHECK(std::fabs(c1.dot(v)) > 0.999);
  CHECK(c0.norm() == Approx(1.0));
  CHECK(std::fabs(c0.dot(c1)) < 1e-9);
  // Variances 9 and 1 of a total of about 10 (+ 10 * 1e-4 of noise).
  CHECK(p.explainedVarianceRatio[0] == Approx(0.9).epsilon(0.03));
  CHECK(p.explainedVarianceRatio[1] == Approx(0.1).epsilon(0.1));
  CHECK(p.explainedVarianceRatio[0] + p.explainedVarianceRatio[1] > 0.999);
  for (size_t c = 0; c < f; ++c) CHECK(p.mean[c] == Approx(5.0 + c).margin(0.15));
  // Sign convention: the largest-magnitude loading of each component is positive.
  for (const auto& comp : p.components) {
    size_t big = 0;
    for (size_t c = 1; c < f; ++c)
      if (std::fabs(comp[c]) > std::fabs(comp[big])) big = c;
    CHECK(comp[big] > 0);
  }
  // The PC1 scores are 3a (centered), up to the component's sign.
  std::vector<double> scores = p.transform(data.data(), n);
  double corr = 0, sa = 0, ss = 0;
  for (size_t r = 0; r < n; ++r) {
    corr += scores[2 * r] * a[r];
    sa += a[r] * a[r];
    ss += scores[2 * r] * scores[2 * r];
  }
  CHECK(std::fabs(corr) / std::sqrt(sa * ss) > 0.999);
  CHECK_THROWS_AS(fitPca(data.data(), 1, f, 2), Error);
}

TEST_CASE("the exported PCA agrees with an independent eigen-decomposition of the exported activity", "[analyze][pca]") {
  CompileCache cache(smallCheckpoint(), "small.npz");
  std::unique_ptr<Task> task = analysisTask(smallCheckpoint().config);
  AnalysisRun run = runTrials(cache, *task, 60, 1000);
  const std::vector<float> act = run.concatenatedHidden();
  const size_t S = static_cast<size_t>(run.totalSteps());
  Pca pca = fitPca(act.data(), S, 64, 2);
  fs::path file = tempDir("pca") / "activity.npz";
  writeNpz(file.string(), exportAnalysis(run, pca, pca.transform(act.data(), S)));

  // Independently: covariance of the stored activity, then a symmetric eigen-solver.
  NpzArchive d = readNpz(file.string());
  const NpyArray& hidden = d.get("hidden", NpyType::Float32, {-1, 64});
  const std::vector<double> x = hidden.toDoubles();
  const Eigen::Index rows = hidden.shape[0];
  Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> m(x.data(), rows, 64);
  Eigen::MatrixXd centered = m.rowwise() - m.colwise().mean();
  Eigen::MatrixXd cov = centered.transpose() * centered / static_cast<double>(rows - 1);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);
  const Eigen::VectorXd& ev = eig.eigenvalues();  // ascending
  const double total = ev.sum();
  const auto ratio = d.get("pca_explained_variance_ratio").values<double>();
  const auto comps = d.get("pca_components").values<double>();
  CHECK(std::fabs(ratio[0] - ev(63) / total) < 1e-4);
  CHECK(std::fabs(ratio[1] - ev(62) / total) < 1e-4);
  for (int c = 0; c < 2; ++c) {
    Eigen::Map<const Eigen::VectorXd> mine(comps.data() + 64 * c, 64);
    CHECK(std::fabs(mine.dot(eig.eigenvectors().col(63 - c))) > 0.999);
  }
}

TEST_CASE("the psychometric table of a perfect observer is all correct", "[analyze][behavior]") {
  std::vector<ChoiceTrial> trials;
  const std::vector<std::pair<double, double>> pairs = {{18, 10}, {22, 14}, {26, 18}, {30, 22}, {34, 26}};
  for (int rep = 0; rep < 3; ++rep)
    for (const auto& [big, small] : pairs) {
      trials.push_back({big, small, 1, 1});  // f1 > f2, perfect: "first larger"
      trials.push_back({small, big, 2, 2});
    }
  Psychometrics p = psychometrics(trials);
  CHECK(p.trials == 30);
  CHECK(p.correct == 30);
  CHECK(p.accuracy() == 1.0);
  REQUIRE(p.pairs.size() == 10);
  for (const PairStats& s : p.pairs) {
    CHECK(s.trials == 3);
    CHECK(s.percentCorrect() == 100.0);
    CHECK(s.pFirst() == (s.f1 > s.f2 ? 1.0 : 0.0));
  }
  CHECK(p.pairs.front().f1 == 10);  // sorted by (f1, f2)
  CHECK(p.pairs.front().f2 == 18);
  REQUIRE(p.differences.size() == 2);
  CHECK(p.differences[0].difference == -8);
  CHECK(p.differences[0].pFirst() == 0.0);
  CHECK(p.differences[1].difference == 8);
  CHECK(p.differences[1].pFirst() == 1.0);
  const std::string table = psychometricTable(p);
  CHECK(table.find("100.0%") != std::string::npos);
  CHECK(std::count(table.begin(), table.end(), '\n') == 2 + 10 + 2);  // two headers, pairs, differences
  CHECK(table.find(" 0.0%") == std::string::npos);  // no pair at 0% correct

  // An observer that always answers "first larger" is right exactly when f1 > f2.
  for (ChoiceTrial& t : trials) t.choice = 1;
  Psychometrics always = psychometrics(trials);
  CHECK(always.accuracy() == 0.5);
  for (const PairStats& s : always.pairs) {
    CHECK(s.pFirst() == 1.0);
    CHECK(s.percentCorrect() == (s.f1 > s.f2 ? 100.0 : 0.0));
  }
  // A choice of 0 (still fixating) is neither answer and an error.
  Psychometrics silent = psychometrics({{18, 10, 1, 0}});
  CHECK(silent.correct == 0);
  CHECK(silent.pairs[0].pFirst() == 0.0);
}
