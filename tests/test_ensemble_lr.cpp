// Per-member learning rates (`mnemo train --ensemble K --ensemble-lr ...`): adam_update and
// sgd_update with one hyper row per member against the formula in a plain loop, the optimizer
// passes that declare the rows, the session that binds them, and an ensemble whose members run
// at different learning rates (and chosen seeds) member by member against lone runs with those
// rates and seeds; the flags' errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "cli_runner.h"
#include "graph/passes/adam.h"
#include "graph/passes/autodiff.h"
#include "graph/passes/sgd_momentum.h"
#include "ops/builder.h"
#include "runtime/reference/evaluator.h"
#include "runtime/session.h"
#include "support/error.h"
#include "train_test_util.h"
#include "training/ensemble.h"
#include "training/trainer.h"

using namespace mnemo;

namespace {

/// loss = sum(w^2) over a stacked param w: f32[3, 2] (3 members), so dloss/dw = 2w.
struct StackedQuadratic {
  Graph g{"stacked"};
  Node* w = nullptr;

  explicit StackedQuadratic(bool sgd) {
    Builder b(g);
    w = b.param("w", {3, 2});
    Node* loss = b.create(OpKind::ReduceSum, {b.square(w)}, {{"axes", std::vector<int64_t>{0, 1}}}, "loss");
    g.addOutput(loss);
    autodiff(g, loss);
    if (sgd) addSgdMomentum(g, 3);
    else addAdam(g, 3);
  }
};

double relDiff(double a, double b, double floor) { return std::abs(a - b) / std::max({std::abs(a), std::abs(b), floor}); }

}  // namespace

TEST_CASE("adam with a hyper row per member: row k updates member k, as the formula in a loop", "[ensemble][adam]") {
  StackedQuadratic q(false);
  REQUIRE(q.g.find("hyper")->type() == TensorType::f32({3, 5}));
  const std::vector<double> lrs = {1e-3, 2e-2, 0.3};
  const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
  std::vector<double> w = {0.5, -1.0, 2.0, 0.25, -0.75, 1.5}, m(6, 0.0), v(6, 0.0);
  ReferenceEvaluator ev(q.g);
  ev.bind("w", RefTensor(TensorType::f32({3, 2}), w));
  ev.bind("w.m", RefTensor(TensorType::f32({3, 2})));
  ev.bind("w.v", RefTensor(TensorType::f32({3, 2})));
  for (int64_t t = 1; t <= 3; ++t) {
    std::vector<double> hyper;
    for (double lr : lrs) hyper.insert(hyper.end(), {lr, b1, b2, eps, static_cast<double>(t)});
    ev.bind("hyper", RefTensor(TensorType::f32({3, 5}), hyper));
    ev.run();
    for (size_t i = 0; i < 6; ++i) {
      const double lrt = lrs[i / 2] * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t)), g = 2 * w[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      w[i] -= lrt * m[i] / (std::sqrt(v[i]) + eps);
    }
    for (size_t i = 0; i < 6; ++i) {
      INFO("step " << t << ", w[" << i << "]");
      CHECK(ev.value("w")[i] == Approx(w[i]).margin(1e-12).epsilon(0));
    }
  }
  // The three members moved by different amounts (their rates differ by 20x and 15x).
  CHECK(std::abs(w[0] - 0.5) < std::abs(w[2] - 2.0) / 10);
}

TEST_CASE("sgd with a hyper row per member: row k's lr and momentum for member k", "[ensemble][sgd]") {
  StackedQuadratic q(true);
  REQUIRE(q.g.find("hyper")->type() == TensorType::f32({3, 3}));
  std::vector<double> w = {0.5, -1.0, 2.0, 0.25, -0.75, 1.5}, vel(6, 0.0);
  const std::vector<double> hyper = {0.1, 0.9, 1, 0.01, 0.5, 1, 0.3, 0.0, 1};
  ReferenceEvaluator ev(q.g);
  ev.bind("w", RefTensor(TensorType::f32({3, 2}), w));
  ev.bind("w.velocity", RefTensor(TensorType::f32({3, 2})));
  ev.bind("hyper", RefTensor(TensorType::f32({3, 3}), hyper));
  for (int step = 0; step < 2; ++step) {
    ev.run();
    for (size_t i = 0; i < 6; ++i) {
      vel[i] = hyper[3 * (i / 2) + 1] * vel[i] + 2 * w[i];
      w[i] -= hyper[3 * (i / 2)] * vel[i];
    }
  }
  for (size_t i = 0; i < 6; ++i) CHECK(ev.value("w")[i] == Approx(w[i]).margin(1e-12).epsilon(0));
}

TEST_CASE("the optimizer passes refuse member rows for a param without the member axis", "[ensemble][adam]") {
  Graph g("mixed");
  Builder b(g);
  Node* w = b.param("w", {3, 2});
  Node* u = b.param("u", {2});
  Node* loss = b.create(OpKind::ReduceSum, {b.add(b.square(w), b.square(u))}, {{"axes", std::vector<int64_t>{0, 1}}}, "loss");
  g.addOutput(loss);
  autodiff(g, loss);
  CHECK_THROWS_WITH(addAdam(g, 3), "adam: one hyper row per member needs every param stacked on a leading axis of 3 members; "
                                   "%u is f32[2]");
}

TEST_CASE("the session binds one learning rate per member and counts steps in every row", "[ensemble][adam]") {
  StackedQuadratic q(false);
  Session s(q.g);
  s.setF32("w", {0.5f, -1.f, 2.f, 0.25f, -0.75f, 1.5f});
  s.setHyper({1e-3, 0.9, 0.999, 1e-8, 0});  // one row, copied to every member
  s.setLearningRates({1e-3, 2e-2, 0.3});
  s.trainStep();
  s.trainStep();
  std::vector<float> hyper = s.getF32("hyper");
  CHECK(hyper == std::vector<float>{1e-3f, 0.9f, 0.999f, 1e-8f, 2.f, 2e-2f, 0.9f, 0.999f, 1e-8f, 2.f, 0.3f, 0.9f, 0.999f, 1e-8f, 2.f});
  CHECK(s.step() == 2);
  CHECK_THROWS_WITH(s.setLearningRates({1e-3, 2e-2}),
                    "optimizer hyper-parameters %hyper hold 3 rows (one per member), got 2 learning rates");
  CHECK_THROWS_WITH(s.setHyper({1e-3, 0.9}), "optimizer hyper-parameters %hyper hold 5 values per row, got 2 (another optimizer's?)");
  s.setLearningRate(5e-3);  // one rate for all
  hyper = s.getF32("hyper");
  CHECK((hyper[0] == 5e-3f && hyper[5] == 5e-3f && hyper[10] == 5e-3f));
}

TEST_CASE("ensemble: --ensemble-lr takes a list or a log range, one positive rate per member", "[ensemble]") {
  CHECK(parseEnsembleLrs("1e-3,3e-3", 2) == std::vector<double>{1e-3, 3e-3});
  std::vector<double> range = parseEnsembleLrs("log:1e-4:1e-2", 3);
  REQUIRE(range.size() == 3);
  CHECK(range[0] == 1e-4);
  CHECK(range[1] == Approx(1e-3).epsilon(1e-12));
  CHECK(range[2] == 1e-2);
  CHECK(parseEnsembleLrs("log:2e-3:5e-3", 1) == std::vector<double>{2e-3});
  CHECK_THROWS_WITH(parseEnsembleLrs("1e-3,3e-3", 3), "--ensemble-lr gives 2 learning rates for --ensemble 3; give one per member");
  CHECK_THROWS_WITH(parseEnsembleLrs("1e-3,0", 2), "--ensemble-lr: member 1's learning rate must be a positive number, got 0");
  CHECK_THROWS_WITH(parseEnsembleLrs("-1e-3,1e-3", 2), "--ensemble-lr: member 0's learning rate must be a positive number, got -0.001");
  CHECK_THROWS_WITH(parseEnsembleLrs("nan,1e-3", 2), "--ensemble-lr: member 0's learning rate must be a positive number, got nan");
  CHECK_THROWS_WITH(parseEnsembleLrs("1e-3,,2e-3", 3), "--ensemble-lr: '' is not a number");
  CHECK_THROWS_WITH(parseEnsembleLrs("1e-3,fast", 2), "--ensemble-lr: 'fast' is not a number");
  CHECK_THROWS_WITH(parseEnsembleLrs("log:1e-3", 2), "--ensemble-lr: expected log:A:B (e.g. log:1e-4:1e-2), got 'log:1e-3'");
  CHECK_THROWS_WITH(parseEnsembleLrs("log:0:1e-3", 2), "--ensemble-lr: member 0's learning rate must be a positive number, got 0");
}

TEST_CASE("ensemble: members at different learning rates and chosen seeds train as their lone runs", "[ensemble]") {
  // Members 0 and 1 share a seed, so only their rates differ; member 2 has another seed.
  const std::vector<uint64_t> seeds = {4, 4, 9};
  const std::vector<double> lrs = {2e-3, 8e-3, 8e-3};
  const int64_t steps = 25;
  EnsembleSpec spec;
  spec.members = 3;
  spec.seeds = seeds;
  spec.lrs = lrs;
  TrainOptions e = testing::notebookRun(steps, 0);
  e.run.lrSchedule = "step";  // the schedule scales each member's own rate
  e.run.lrStepEvery = 10;
  EnsembleResult ens = trainEnsemble(e, spec);
  REQUIRE(ens.members.size() == 3);
  double worstLoss = 0, worstParam = 0;
  for (size_t k = 0; k < 3; ++k) {
    INFO("member " << k);
    TrainOptions o = testing::notebookRun(steps, seeds[k]);
    o.run.lr = lrs[k];
    o.run.lrSchedule = "step";
    o.run.lrStepEvery = 10;
    TrainResult lone = train(o);
    const TrainResult& member = ens.members[k];
    REQUIRE(member.loss.size() == lone.loss.size());
    for (size_t i = 0; i < lone.loss.size(); ++i) worstLoss = std::max(worstLoss, relDiff(member.loss[i], lone.loss[i], 1e-3));
    REQUIRE(member.finalParams.size() == lone.finalParams.size());
    for (size_t i = 0; i < lone.finalParams.size(); ++i)
      worstParam = std::max(worstParam, relDiff(member.finalParams[i], lone.finalParams[i], 0.05));
    CHECK(ens.finalStates[k].config.lr == lrs[k]);  // the member's checkpoint resumes at its rate
    CHECK(ens.finalStates[k].config.seed == seeds[k]);
  }
  INFO("worst relative difference: losses " << worstLoss << ", params " << worstParam);
  // Each member's part of the (member-major) graph is its lone graph: the same floats.
  CHECK(worstLoss == 0);
  CHECK(worstParam == 0);
  // Same seed, different rate: the rate alone makes members 0 and 1 differ.
  CHECK(ens.members[0].loss.back() != ens.members[1].loss.back());
  double moved = 0;
  for (size_t i = 0; i < ens.members[0].finalParams.size(); ++i)
    moved = std::max(moved, static_cast<double>(std::abs(ens.members[0].finalParams[i] - ens.members[1].finalParams[i])));
  CHECK(moved > 1e-3);
}

TEST_CASE("ensemble: member lists of the wrong length are refused", "[ensemble]") {
  TrainOptions o = testing::notebookRun(2, 0);
  EnsembleSpec spec;
  spec.members = 2;
  spec.lrs = {1e-3};
  CHECK_THROWS_WITH(trainEnsemble(o, spec), "--ensemble-lr gives 1 value for --ensemble 2; give one per member");
  spec.lrs = {1e-3, -1};
  CHECK_THROWS_WITH(trainEnsemble(o, spec), "--ensemble-lr: member 1's learning rate must be a positive number, got -1");
  spec.lrs = {};
  spec.seeds = {1, 2, 3};
  CHECK_THROWS_WITH(trainEnsemble(o, spec), "--ensemble-seeds gives 3 values for --ensemble 2; give one per member");
  spec.seeds = {};
  spec.dirs = {"a"};
  CHECK_THROWS_WITH(trainEnsemble(o, spec), "--ensemble-out gives 1 value for --ensemble 2; give one per member");
}

TEST_CASE("cli: --ensemble-lr prints each member's rate, writes --ensemble-out, and refuses bad rates", "[ensemble][cli]") {
  testing::TempDir dir("ensemble_lr_cli");
  const std::vector<std::string> base = {"train", "--no-progress", "--hidden", "8", "--seq-len", "20", "--batch", "4",
                                         "--steps", "4", "--print-every", "2"};
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return testing::runMnemo(args);
  };
  testing::CliResult r = run({"--ensemble", "2", "--ensemble-lr", "1e-3,4e-3", "--ensemble-seeds", "7,2", "--ensemble-out",
                              dir / "a", "--ensemble-out", dir / "b"});
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("ensemble of 2 members (seeds 7,2, lrs 0.001,0.004)") != std::string::npos);
  CHECK(r.out.find("Step 4, member 0 (seed 7, lr 0.001), Loss ") != std::string::npos);
  CHECK(r.out.find("Step 4, member 1 (seed 2, lr 0.004), Loss ") != std::string::npos);
  for (const char* member : {"a", "b"}) CHECK(std::filesystem::exists(dir.path / member / "checkpoint.npz"));
  // Member 1 prints what its lone run prints.
  testing::CliResult lone = run({"--seed", "2", "--lr", "4e-3", "--out", dir / "lone"});
  REQUIRE(lone.code == 0);
  const size_t at = lone.out.find("Step 4, ");
  REQUIRE(at != std::string::npos);
  const std::string rest = lone.out.substr(at + 8, lone.out.find('\n', at) - at - 8);
  CHECK(r.out.find("Step 4, member 1 (seed 2, lr 0.004), " + rest) != std::string::npos);

  // 'same': every member at --seed, so members that share it differ in their rate only.
  testing::CliResult same = run({"--seed", "2", "--ensemble", "2", "--ensemble-seeds", "same", "--ensemble-lr", "1e-3,4e-3",
                                 "--out", dir / "same"});
  REQUIRE(same.code == 0);
  CHECK(same.out.find("ensemble of 2 members (seeds 2,2, lrs 0.001,0.004)") != std::string::npos);
  CHECK(same.out.find("Step 4, member 1 (seed 2, lr 0.004), " + rest) != std::string::npos);

  auto refused = [&](std::vector<std::string> extra, const std::string& message) {
    testing::CliResult bad = run(extra);
    INFO(message << "\n" << bad.err);
    CHECK(bad.code != 0);
    CHECK(bad.err.find(message) != std::string::npos);
    CHECK(std::count(bad.err.begin(), bad.err.end(), '\n') <= 1);
  };
  refused({"--ensemble", "3", "--ensemble-lr", "1e-3,2e-3"}, "--ensemble-lr gives 2 learning rates for --ensemble 3; give one per member");
  refused({"--ensemble", "2", "--ensemble-lr", "1e-3,0"}, "--ensemble-lr: member 1's learning rate must be a positive number, got 0");
  refused({"--ensemble", "2", "--ensemble-lr", "nan,1e-3"}, "--ensemble-lr: member 0's learning rate must be a positive number, got nan");
  refused({"--ensemble-lr", "1e-3,2e-3"}, "--ensemble-lr needs --ensemble K");
  refused({"--ensemble-seeds", "1,2"}, "--ensemble-seeds needs --ensemble K");
  refused({"--ensemble", "2", "--lr", "1e-3", "--ensemble-lr", "1e-3,2e-3"}, "--lr and --ensemble-lr both given");
  refused({"--ensemble", "2", "--ensemble-seeds", "1,x"}, "--ensemble-seeds: 'x' is not a non-negative integer");
}
