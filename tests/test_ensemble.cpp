// Ensembles (training/ensemble.h): the stacked graph of K notebook RNNs evaluates, in double
// precision, to each member's lone model; its training step on the runtime (fused and unfused)
// matches the reference evaluator's; and `--ensemble 3` trains member by member as three lone
// runs with seeds S, S+1, S+2 (losses and parameters to float32 summation error), writes the
// lone run's checkpoint per member, and refuses what would couple its members.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <sstream>

#include "cli_runner.h"
#include "frontend/dsl/model.h"
#include "frontend/init.h"
#include "graph/passes/pass_manager.h"
#include "graph/passes/passes.h"
#include "graph/passes/training.h"
#include "model_check_util.h"
#include "pass_test_util.h"
#include "train_test_util.h"
#include "runtime/reference/evaluator.h"
#include "runtime/session.h"
#include "support/error.h"
#include "training/checkpoint.h"
#include "training/ensemble.h"
#include "training/trainer.h"

using namespace mnemo;
namespace fs = std::filesystem;

namespace {

using testing::notebookRun;

constexpr int64_t kMembers = 3;

Model smallNotebook(int64_t batch = 3, int64_t seqLen = 4, int64_t hidden = 8) {
  ModelOptions o;
  o.batch = batch;
  o.seqLen = seqLen;
  o.sizeOverrides["H"] = hidden;
  return loadNotebookModel(o);
}

/// Member k's inputs, labels and params: random, seeded by k.
struct MemberData {
  std::vector<double> x, labels;
  std::map<std::string, std::vector<float>> params;
};

MemberData memberData(const Model& lone, uint64_t k) {
  MemberData d;
  std::mt19937_64 rng(100 + k);
  std::uniform_real_distribution<double> u(-1, 1);
  d.x.resize(static_cast<size_t>(lone.graph->find("x")->type().numel()));
  for (double& v : d.x) v = u(rng);
  d.labels.resize(static_cast<size_t>(lone.graph->find("labels")->type().numel()));
  for (double& v : d.labels) v = static_cast<double>(rng() % 3);
  d.params = initParams(*lone.graph, k);
  return d;
}

RefTensor refOf(const Node* n, const std::vector<float>& v) { return RefTensor(n->type(), std::vector<double>(v.begin(), v.end())); }

/// Binds the members' data, stacked, into \p ev for the ensemble graph \p g.
void bindStacked(ReferenceEvaluator& ev, const Graph& g, const std::vector<MemberData>& members) {
  std::vector<double> x, labels;
  std::map<std::string, std::vector<double>> params;
  for (const MemberData& m : members) {
    x.insert(x.end(), m.x.begin(), m.x.end());
    labels.insert(labels.end(), m.labels.begin(), m.labels.end());
    for (const auto& [name, v] : m.params) params[name].insert(params[name].end(), v.begin(), v.end());
  }
  ev.bind("x", RefTensor(g.find("x")->type(), x));
  ev.bind("labels", RefTensor(g.find("labels")->type(), labels));
  for (const auto& [name, v] : params) ev.bind(name, RefTensor(g.find(name)->type(), v));
}

const char* layoutName(EnsembleLayout layout) {
  return layout == EnsembleLayout::MemberMajor ? "member-major" : "batched";
}

/// Relative difference, with \p floor as the smallest magnitude that counts as relative.
double relDiff(double a, double b, double floor) { return std::abs(a - b) / std::max({std::abs(a), std::abs(b), floor}); }

}  // namespace

TEST_CASE("ensemble: the stacked graph evaluates to each member's lone model", "[ensemble]") {
  const EnsembleLayout layout = GENERATE(EnsembleLayout::MemberMajor, EnsembleLayout::Batched);
  INFO(layoutName(layout) << " layout");
  Model lone = smallNotebook();
  auto g = buildNotebookEnsemble(lone, kMembers, layout);
  std::vector<MemberData> members;
  for (int64_t k = 0; k < kMembers; ++k) members.push_back(memberData(lone, static_cast<uint64_t>(k)));
  ReferenceEvaluator stacked(*g);
  bindStacked(stacked, *g, members);
  stacked.run(Stage::Fwd);
  const RefTensor& memberLoss = stacked.value("member_loss");
  const RefTensor& logits = stacked.value("logits");
  REQUIRE(memberLoss.size() == static_cast<size_t>(kMembers));
  double sum = 0;
  for (int64_t k = 0; k < kMembers; ++k) {
    INFO("member " << k);
    ReferenceEvaluator alone(*lone.graph);
    alone.bind("x", RefTensor(lone.graph->find("x")->type(), members[k].x));
    alone.bind("labels", RefTensor(lone.graph->find("labels")->type(), members[k].labels));
    for (const auto& [name, v] : members[k].params) alone.bind(name, refOf(lone.graph->find(name), v));
    alone.run(Stage::Fwd);
    CHECK(memberLoss[k] == Approx(alone.value("loss")[0]).epsilon(1e-12));
    const RefTensor& want = alone.value("logits");
    for (size_t i = 0; i < want.size(); ++i) CHECK(logits[k * want.size() + i] == Approx(want[i]).epsilon(1e-12));
    sum += alone.value("loss")[0];
  }
  CHECK(stacked.value("loss")[0] == Approx(sum).epsilon(1e-12));
}

TEST_CASE("ensemble: a training step of the stacked graph, fused and unfused, matches the reference", "[ensemble]") {
  const EnsembleLayout layout = GENERATE(EnsembleLayout::MemberMajor, EnsembleLayout::Batched);
  INFO(layoutName(layout) << " layout");
  Model lone = smallNotebook();
  std::vector<MemberData> members;
  for (int64_t k = 0; k < kMembers; ++k) members.push_back(memberData(lone, static_cast<uint64_t>(k)));
  auto refGraph = buildNotebookEnsemble(lone, kMembers, layout);
  TrainingGraph tg = buildTrainingGraph(*refGraph, {});
  ReferenceEvaluator ev(*refGraph);
  bindStacked(ev, *refGraph, members);
  for (const auto& slot : tg.adam.slots) {
    ev.bind(slot.m->name(), RefTensor(slot.m->type()));
    ev.bind(slot.v->name(), RefTensor(slot.v->type()));
  }
  ev.bind(tg.adam.hyper->name(), RefTensor(tg.adam.hyper->type(), {1e-2, 0.9, 0.999, 1e-8, 1}));
  ev.run();

  for (const char* pipeline : {"train", "train-unfused", "train-onednn"}) {
    INFO("pipeline " << pipeline);
    auto g = buildNotebookEnsemble(lone, kMembers, layout);
    PassManager pm;
    buildPipeline(pipeline, pm);
    pm.run(*g);
    Session s(*g);
    std::vector<float> x, labels;
    std::vector<int64_t> y;
    for (const MemberData& m : members) {
      x.insert(x.end(), m.x.begin(), m.x.end());
      for (double l : m.labels) y.push_back(static_cast<int64_t>(l));
    }
    for (const std::string& p : lone.params) {
      std::vector<float> v;
      for (const MemberData& m : members) v.insert(v.end(), m.params.at(p).begin(), m.params.at(p).end());
      s.setF32(p, v);
    }
    s.setAdam(1e-2);
    s.setF32("x", x);
    s.setI64("labels", y);
    CHECK(s.trainStep() == Approx(ev.value(tg.loss)[0]).epsilon(1e-5));
    for (const std::string& p : lone.params) {
      std::vector<float> got = s.getF32(p);
      const RefTensor& want = ev.value(p);
      REQUIRE(got.size() == want.size());
      for (size_t e = 0; e < got.size(); ++e) {
        INFO("updated %" << p << "[" << e << "]");
        // Adam moves an entry by about lr; where the gradient is float noise its sign is not
        // determined, so allow a step's worth.
        CHECK(got[e] == Approx(want[e]).margin(2.1e-2));
      }
    }
  }
}

TEST_CASE("ensemble: --ensemble 3 --ensemble-layout batched trains each member as its lone run with seed S+k",
          "[ensemble]") {
  const uint64_t seed = 7;
  const int64_t steps = 30;
  testing::TempDir dir("ensemble");
  TrainOptions e = notebookRun(steps, seed);
  e.outDir = dir / "e";
  e.checkpointEvery = steps;
  EnsembleSpec spec;
  spec.members = kMembers;
  spec.layout = EnsembleLayout::Batched;
  EnsembleResult ens = trainEnsemble(e, spec);
  REQUIRE(ens.members.size() == static_cast<size_t>(kMembers));
  double worstLoss = 0, worstParam = 0;
  for (int64_t k = 0; k < kMembers; ++k) {
    INFO("member " << k);
    TrainOptions o = notebookRun(steps, seed + static_cast<uint64_t>(k));
    Checkpoint alone;
    o.finalState = &alone;
    TrainResult lone = train(o);
    const TrainResult& member = ens.members[static_cast<size_t>(k)];
    REQUIRE(member.loss.size() == lone.loss.size());
    for (size_t i = 0; i < lone.loss.size(); ++i) worstLoss = std::max(worstLoss, relDiff(member.loss[i], lone.loss[i], 1e-3));
    REQUIRE(member.finalParams.size() == lone.finalParams.size());
    // Relative to the tensor's scale: an entry near zero moves by float noise like the others.
    for (size_t i = 0; i < lone.finalParams.size(); ++i)
      worstParam = std::max(worstParam, relDiff(member.finalParams[i], lone.finalParams[i], 0.05));
    // The member's checkpoint is the lone run's: the same tensors, shapes and step, and values
    // to the same tolerance; the file on disk reads back to it.
    const Checkpoint& mine = ens.finalStates[static_cast<size_t>(k)];
    CHECK(mine.step == alone.step);
    CHECK(mine.config.seed == seed + static_cast<uint64_t>(k));
    for (auto side : {&Checkpoint::params, &Checkpoint::state}) {
      REQUIRE((mine.*side).size() == (alone.*side).size());
      for (const auto& [name, t] : alone.*side) {
        INFO(name);
        REQUIRE((mine.*side).count(name));
        CHECK((mine.*side).at(name).dims == t.dims);
      }
    }
    Checkpoint onDisk = loadCheckpoint(dir / ("e/member-" + std::to_string(k) + "/checkpoint.npz"));
    CHECK(onDisk.step == steps);
    CHECK(onDisk.params.at("w_rr").values == mine.params.at("w_rr").values);
    CHECK(onDisk.config.seed == seed + static_cast<uint64_t>(k));
  }
  INFO("worst relative difference: losses " << worstLoss << ", params " << worstParam);
  CHECK(worstLoss < 1e-5);
  // The lone run adds x_t·W_ir inside each recurrent step's tile (a second product) where the
  // batched graph adds a projection made beforehand: the same sums in another order. Adam, which
  // divides by the gradients' running size, carries that rounding into the parameters: about
  // 3e-5 after these steps (1e-6 and below before the second product).
  CHECK(worstParam < 2e-4);
  // The members differ from one another (different seeds), so the comparison above is not trivial.
  CHECK(ens.members[0].loss.back() != ens.members[1].loss.back());
}

TEST_CASE("ensemble: in the member-major layout each member trains bit for bit as its lone run", "[ensemble]") {
  // Member k's part of the graph is the lone graph on outermost-axis views, so the passes and
  // kernels do the lone run's arithmetic in the lone run's order: the losses of every step and
  // the final params and optimizer states are the same floats, not only close ones.
  const uint64_t seed = 11;
  const int64_t steps = 40;
  const int64_t members = GENERATE(int64_t{1}, kMembers);  // one member: reshapes, not selects
  INFO(members << " members");
  for (bool fuse : {true, false}) {
    for (bool microKernels : {true, false}) {
      if (!fuse && !microKernels) continue;  // unfused runs no micro-kernel either way
      INFO((fuse ? (microKernels ? "fused" : "fused, oneDNN only") : "unfused"));
      TrainOptions e = notebookRun(steps, seed);
      e.fuse = fuse;
      e.microKernels = microKernels;
      EnsembleSpec spec;
      spec.members = members;
      spec.lrs = std::vector<double>{2e-3, 8e-3, 5e-3};
      spec.lrs.resize(static_cast<size_t>(members));
      EnsembleResult ens = trainEnsemble(e, spec);
      for (int64_t k = 0; k < members; ++k) {
        INFO("member " << k);
        TrainOptions o = notebookRun(steps, seed + static_cast<uint64_t>(k));
        o.fuse = fuse;
        o.microKernels = microKernels;
        o.run.lr = spec.lrs[static_cast<size_t>(k)];
        Checkpoint alone;
        o.finalState = &alone;
        TrainResult lone = train(o);
        const TrainResult& member = ens.members[static_cast<size_t>(k)];
        CHECK(member.loss == lone.loss);
        CHECK(member.finalParams == lone.finalParams);
        const Checkpoint& mine = ens.finalStates[static_cast<size_t>(k)];
        for (const auto& [name, t] : alone.state) {
          INFO("optimizer state " << name);
          REQUIRE(mine.state.count(name));
          CHECK(mine.state.at(name).values == t.values);
        }
      }
      if (members > 1) CHECK(ens.members[0].loss.back() != ens.members[1].loss.back());
    }
  }
}

namespace {

/// How many kernels of each "stage op [implementation]" the fused compile of \p g runs.
std::map<std::string, size_t> kernelsByKind(Graph& g) {
  PassManager pm;
  buildPipeline("train", pm);
  pm.run(g);
  Session s(g);
  std::map<std::string, size_t> counts;
  std::istringstream lines(s.executable().describe());  // "fwd  %name = op  [impl]"
  for (std::string line; std::getline(lines, line);)
    ++counts[line.substr(0, line.find(' ')) + " " + line.substr(line.find(" = ") + 3)];
  return counts;
}

}  // namespace

TEST_CASE("ensemble: the member-major step runs each lone kernel K times and copies nothing", "[ensemble]") {
  // The batched layout's copies were selects along the time axis and stacks along inner axes.
  // Here every kernel of the lone step (same op, same implementation) runs once per member, and
  // the only others join the members: one reduce_sum of the losses, and one optimizer update
  // per stacked param instead of one per member.
  Model lone = smallNotebook(16, 20, 32);
  auto g = buildNotebookEnsemble(lone, kMembers);
  const std::map<std::string, size_t> one = kernelsByKind(*lone.graph);
  std::map<std::string, size_t> stacked = kernelsByKind(*g);
  for (const auto& [kind, count] : one) {
    INFO(kind);
    const bool update = kind.find("adam_update") != std::string::npos;
    CHECK(stacked[kind] == (update ? count : kMembers * count));
    stacked.erase(kind);
  }
  REQUIRE(stacked.size() == 1);
  CHECK(stacked.begin()->first == "fwd reduce_sum  [loop:reduce_sum]");
  CHECK(stacked.begin()->second == 1);
  for (const auto& [kind, count] : one) {
    INFO(kind);
    for (const char* copy : {" select ", " stack ", " insert_slice "}) CHECK(kind.find(copy) == std::string::npos);
  }
}

TEST_CASE("ensemble: what would couple the members or cannot be stacked is refused", "[ensemble]") {
  auto refused = [](TrainOptions o, int64_t k, const std::string& expected) {
    INFO(expected);
    try {
      trainEnsemble(o, k);
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find(expected) != std::string::npos);
    }
  };
  TrainOptions o = notebookRun(2, 0);
  refused(o, 0, "--ensemble must be at least 1, got 0");
  refused(o, kMaxEnsembleMembers + 1, "--ensemble");
  TrainOptions clip = o;
  clip.run.clipGradNorm = 1;
  refused(clip, 2, "--clip-grad-norm clips by the norm over all parameters");
  TrainOptions other = o;
  other.run.modelFile = "examples/gru.mnemo";
  other.run.modelSource = "model gru\n";
  refused(other, 2, "--ensemble: supported for the built-in notebook model only; model file examples/gru.mnemo given");
  TrainOptions data = o;
  data.dataFile = "batches.npz";
  refused(data, 2, "--ensemble: --data is not supported");
  TrainOptions init = o;
  init.initCheckpoint = "checkpoint.npz";
  refused(init, 2, "--ensemble: --init (resuming) is not supported");
}

TEST_CASE("cli: mnemo train --ensemble 2 prints per-member lines and writes a run directory per member",
          "[ensemble][cli]") {
  testing::TempDir dir("ensemble_cli");
  testing::CliResult r = testing::runMnemo({"train", "--no-progress", "--hidden", "8", "--seq-len", "20", "--batch", "4",
                                            "--ensemble", "2", "--seed", "3", "--steps", "6", "--print-every", "3",
                                            "--out", dir / "run"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("ensemble of 2 members (seeds 3..4, lr 0.001)") != std::string::npos);
  for (const char* line : {"Step 3, member 0 (seed 3, lr 0.001), Loss ", "Step 3, member 1 (seed 4, lr 0.001), Loss ",
                           "Step 6, member 0 (seed 3, lr 0.001), Loss ", "Step 6, member 1 (seed 4, lr 0.001), Loss "})
    CHECK(r.out.find(line) != std::string::npos);
  for (const char* member : {"member-0", "member-1"})
    for (const char* file : {"checkpoint.npz", "config.json", "metrics.csv", "training.svg"})
      CHECK(fs::exists(dir.path / "run" / member / file));
  // Member 1's lone run prints the same losses (4 decimals) as the ensemble's member 1.
  testing::CliResult lone = testing::runMnemo({"train", "--no-progress", "--hidden", "8", "--seq-len", "20", "--batch",
                                               "4", "--seed", "4", "--steps", "6", "--print-every", "3", "--out",
                                               dir / "lone"});
  REQUIRE(lone.code == 0);
  for (const char* step : {"Step 3, ", "Step 6, "}) {
    const size_t at = lone.out.find(step);
    REQUIRE(at != std::string::npos);
    const std::string rest = lone.out.substr(at + std::string(step).size(), lone.out.find('\n', at) - at - std::string(step).size());
    CHECK(r.out.find(std::string(step) + "member 1 (seed 4, lr 0.001), " + rest) != std::string::npos);
  }
  testing::CliResult bad = testing::runMnemo({"train", "--no-progress", "--ensemble", "2", "--clip-grad-norm", "1"});
  CHECK(bad.code != 0);
  CHECK(bad.err.find("--ensemble: --clip-grad-norm clips by the norm over all parameters") != std::string::npos);
}

TEST_CASE("cli: --ensemble-layout picks the layout and refuses other names", "[ensemble][cli]") {
  testing::TempDir dir("ensemble_layout");
  const std::vector<std::string> run = {"train", "--no-progress", "--hidden", "8", "--seq-len", "20", "--batch", "4",
                                        "--ensemble", "2", "--steps", "3", "--print-every", "3"};
  auto with = [&](std::vector<std::string> extra, const std::string& out) {
    std::vector<std::string> args = run;
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {"--out", dir / out});
    return testing::runMnemo(args);
  };
  testing::CliResult batched = with({"--ensemble-layout", "batched"}, "batched");
  INFO(batched.err);
  REQUIRE(batched.code == 0);
  CHECK(batched.out.find("in one graph, ") != std::string::npos);
  CHECK(batched.out.find(", batched layout (") != std::string::npos);
  testing::CliResult member = with({"--ensemble-layout", "member"}, "member");
  REQUIRE(member.code == 0);
  CHECK(member.out.find("batched layout") == std::string::npos);
  testing::CliResult bad = with({"--ensemble-layout", "stacked"}, "bad");
  CHECK(bad.code != 0);
  CHECK(bad.err.find("--ensemble-layout: expected member or batched, got 'stacked'") != std::string::npos);
  testing::CliResult lone =
      testing::runMnemo({"train", "--no-progress", "--steps", "1", "--ensemble-layout", "member"});
  CHECK(lone.code != 0);
  CHECK(lone.err.find("--ensemble-layout needs --ensemble K") != std::string::npos);
}

TEST_CASE("time-batch joins a sum of batched weight-gradient products per batch index", "[ensemble][passes]") {
  auto g = parseGraph(R"(graph @members {
  %a1 = input : f32[2,3,4]
  %a2 = input : f32[2,3,4]
  %a3 = input : f32[2,3,4]
  %g1 = input : f32[2,3,5]
  %g2 = input : f32[2,3,5]
  %g3 = input : f32[2,3,5]
  %p1 = matmul(%a1, %g1) {transpose_a=true} : f32[2,4,5]
  %p2 = matmul(%a2, %g2) {transpose_a=true} : f32[2,4,5]
  %p3 = matmul(%a3, %g3) {transpose_a=true} : f32[2,4,5]
  %s1 = add(%p1, %p2) : f32[2,4,5]
  %s = add(%s1, %p3) : f32[2,4,5]
  return %s
}
)");
  auto before = testing::cloneGraph(*g);
  PassContext ctx;
  REQUIRE(createTimeBatchPass()->run(*g, ctx));
  REQUIRE(createDcePass()->run(*g, ctx));
  // One product per member over the three terms' rows: [2,9,4]ᵀ·[2,9,5].
  REQUIRE(testing::countOps(*g, OpKind::MatMul) == 1);
  for (const Node* n : g->nodes())
    if (n->kind() == OpKind::MatMul) CHECK(n->operand(0)->type().str() == "f32[2,9,4]");
  CHECK(testing::maxDifference(*before, *g, testing::randomBindings(*before, 3)) < 1e-12);
}

TEST_CASE("a model file with a batched matmul trains as the reference evaluator says, fused and unfused",
          "[ensemble][dsl]") {
  // Three groups of rows, each through its own [H,H] weight: [G, B/G, H] @ [G, H, H].
  const std::string source = R"(model grouped
size I = 2, H = 4, O = 3, G = 3
input x : f32[T, B, I]
target labels : i64[T, B]
param w_in : [I, H] = kaiming_normal(1)
param w_g : [G, H, H] = kaiming_normal(1)
param w_ro : [H, O] = kaiming_normal(1)
state h : [B, H] = zeros
step t {
  u = reshape(x[t] @ w_in + h, G, B / G, H)
  h = tanh(reshape(u @ w_g, B, H))
  out o = h @ w_ro
}
loss = cross_entropy(o, labels)
)";
  model_check::checkTrainingAgainstReference(source, "grouped.mnemo");
}
