// `mnemo train --ensemble K`: the stacked notebook RNN and its training loop (see ensemble.h).
//
// Member-major layout (the default): the lone graph (the DSL's unrolled notebook model) is
// copied K times, node for node, member k's copy reading select(x, 0, k), select(labels, 0, k)
// and select(p, 0, k) for its leaves. Selects on the outermost axis are views, so each member's
// x[t] slices, hidden-state stack and logits are views or in-place writes exactly as in the lone
// graph, and the passes fuse each copy as they fuse the lone graph (x_t·W_ir inside the recurrent
// tile, time-batched weight gradients). Autodiff sums the K insert-slices of each param's
// gradient, which simplify turns into one stack on the member axis, each member's gradient
// written in place into its block; the optimizer updates the stacked params with one row per
// member. The compiled step runs K times each kernel of the lone step, one reduce_sum joining the
// losses, and one optimizer update per stacked param.
//
// Batched layout: the notebook model written once more with a member axis in front. Its
// arithmetic is the lone run's up to the order of float additions (the summation order of the
// products, and the bias added to the input projection first):
//
//   xw_k  = x[k][T·B,I] · w_ir[k] + b_rr[k]            one product per member for all steps
//   ins_t = xw[:,t] + h·w_rr                           h: [K,B,H], one batched product per step
//   h     = relu(h·(1−α) + ins_t·α)
//   o_k   = hs[k][T·B,H] · w_ro[k] + b_ro[k]           one readout per member for all steps
//   loss  = Σ_k mean over member k's T·B positions of the cross-entropy
//
// The recurrence is batched over the members ([K,B,H]·[K,H,H] on the micro-kernel, which runs
// it well); the input projection and the readout, whose products are tall and narrow (N = H and
// N = O = 3, K = I = 2 in the gradients), run member by member as the lone run's rank-2 products:
// a batched oneDNN matmul of those shapes took several times longer per member than the lone
// run's, and the per-member operands are selects and stacks on the outermost axis, which the
// memory plan makes views (no copies). Each member's projection takes its bias in the product's
// epilogue, and its gradient is one reduction over all steps. The per-step select of the
// projection along the time axis and the stacks of the hidden states and of the gradients along
// inner axes are copies (about 20 % of the step at the notebook's sizes).
#include "training/ensemble.h"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <ostream>

#include "graph/names.h"
#include "ops/builder.h"
#include "ops/op_table.h"
#include "support/error.h"
#include "support/limits.h"
#include "frontend/dsl/model.h"
#include "frontend/init.h"
#include "tasks/task.h"
#include "training/batch_prefetch.h"
#include "training/batch_source.h"
#include "training/compiled_model.h"
#include "training/lr_schedule.h"
#include "training/training_report.h"

namespace mnemo {

namespace {

/// The dims of \p lone's node \p name, checked to be \p rank long.
const Dims& loneDims(const Model& lone, const std::string& name, size_t rank) {
  const Node* n = lone.graph->find(name);
  if (!n || n->dims().size() != rank)
    MNEMO_FAIL("--ensemble stacks the built-in notebook model, whose %" << name << " it expected of rank " << rank
                                                                          << "; the model has changed");
  return n->dims();
}

Node* named(Builder& b, OpKind kind, std::vector<Node*> operands, Attrs attrs, const std::string& name) {
  return b.create(kind, std::move(operands), std::move(attrs), name);
}

Node* reshape(Builder& b, Node* a, Dims dims, const std::string& name = "") {
  return named(b, OpKind::Reshape, {a}, {{"shape", dims}}, name);
}

}  // namespace

namespace {

/// The batched layout (EnsembleLayout::Batched): one recurrence over [K,B,H] per step.
std::unique_ptr<Graph> buildBatched(const Model& lone, int64_t K) {
  const Dims& x = loneDims(lone, lone.input, 3);
  const int64_t T = x[0], B = x[1], I = x[2];
  const int64_t H = loneDims(lone, "w_rr", 2)[0];
  const int64_t O = loneDims(lone, "w_ro", 2)[1];
  const double alpha = lone.consts.at("alpha");

  auto g = std::make_unique<Graph>(lone.name);
  Builder b(*g);
  Node* input = b.input("x", TensorType::f32({K, T, B, I}));
  Node* labels = b.input("labels", TensorType::i64({K, T, B}));
  // Values come from the members' own initialisers (trainEnsemble), not from these.
  Node* wIr = b.param("w_ir", {K, I, H}, "zeros");
  Node* wRr = b.param("w_rr", {K, H, H}, "zeros");
  Node* bRr = b.param("b_rr", {K, H}, "zeros");
  Node* wRo = b.param("w_ro", {K, H, O}, "zeros");
  Node* bRo = b.param("b_ro", {K, O}, "zeros");

  // Member by member (selects and stacks on the outermost axis are views): x[k]·w_ir[k] + b_rr[k].
  Node* inputRows = reshape(b, input, {K, T * B, I});
  std::vector<Node*> projections;
  for (int64_t k = 0; k < K; ++k)
    projections.push_back(b.add(b.matmul(b.select(inputRows, 0, k), b.select(wIr, 0, k)), b.select(bRr, 0, k)));
  Node* xwSteps = reshape(b, b.stack(projections, 0), {K, T, B, H});
  Node* h = b.constant(0.0, {K, B, H}, "h_0");
  std::vector<Node*> hs;
  for (int64_t t = 0; t < T; ++t) {
    Node* ins = named(b, OpKind::Add, {b.select(xwSteps, 1, t), b.matmul(h, wRr)}, {}, "ins_" + std::to_string(t));
    Node* mixed = b.add(b.mul(h, b.constant(1 - alpha)), b.mul(ins, b.constant(alpha)));
    h = named(b, OpKind::Relu, {mixed}, {}, "h_" + std::to_string(t + 1));
    hs.push_back(h);
  }
  Node* states = reshape(b, b.stack(hs, 1), {K, T * B, H});
  std::vector<Node*> readouts;
  for (int64_t k = 0; k < K; ++k)
    readouts.push_back(b.add(b.matmul(b.select(states, 0, k), b.select(wRo, 0, k)), b.select(bRo, 0, k)));
  Node* out = b.stack(readouts, 0);
  Node* logits = reshape(b, out, {K, T, B, O}, "logits");
  Node* rows = b.create(OpKind::SoftmaxXentRows, {reshape(b, out, {K * T * B, O}), reshape(b, labels, {K * T * B})});
  Node* memberLoss = named(b, OpKind::ReduceMean, {reshape(b, rows, {K, T * B})}, {{"axes", std::vector<int64_t>{1}}},
                           "member_loss");
  Node* loss = named(b, OpKind::ReduceSum, {memberLoss}, {{"axes", std::vector<int64_t>{0}}}, "loss");
  g->addOutput(loss);
  g->addOutput(memberLoss);
  g->addOutput(logits);
  return g;
}

/// The member-major layout (EnsembleLayout::MemberMajor): member k's part is the lone graph
/// itself, node for node, reading select(x, 0, k), select(labels, 0, k) and select(p, 0, k) for
/// its input, labels and params. Those selects are on the outermost axis (views), so inside a
/// member every time slice and every stack is the same view or in-place write as in the lone
/// graph, and the passes see the lone graph K times over.
std::unique_ptr<Graph> buildMemberMajor(const Model& lone, int64_t K) {
  const Graph& one = *lone.graph;
  auto g = std::make_unique<Graph>(lone.name);
  Builder b(*g);
  std::map<const Node*, Node*> stacked;  // lone input or param -> its stacked [K, ...] leaf
  for (const Node* n : one.nodes()) {
    if (n->kind() != OpKind::Input && n->kind() != OpKind::Param) continue;
    Dims dims = n->dims();
    dims.insert(dims.begin(), K);
    // Param values come from the members' own initialisers (trainEnsemble).
    stacked[n] = n->kind() == OpKind::Input ? b.input(n->name(), TensorType{n->type().dtype, dims})
                                            : b.param(n->name(), dims, "zeros");
  }
  std::vector<Node*> losses, logits;
  for (int64_t k = 0; k < K; ++k) {
    std::map<const Node*, Node*> mine;  // lone node -> member k's copy
    const std::string prefix = "m" + std::to_string(k) + ".";
    for (const Node* n : one.nodes()) {
      const std::string name = isAnonymousName(n->name()) ? "" : prefix + n->name();
      if (stacked.count(n)) {
        // One member: a reshape, whose gradient is a view too (a select's would be an
        // insert_slice, a copy, where K > 1 joins them into one stack written in place).
        mine[n] = K == 1 ? reshape(b, stacked.at(n), n->dims(), name)
                         : named(b, OpKind::Select, {stacked.at(n)}, {{"axis", int64_t{0}}, {"index", k}}, name);
      } else if (n->kind() == OpKind::Constant) {
        mine[n] = g->create(OpKind::Constant, {}, n->type(), n->attrs(), name, Stage::Fwd);
      } else if (n->numOperands() > 0) {
        std::vector<Node*> operands;
        for (const Node* op : n->operands()) operands.push_back(mine.at(op));
        mine[n] = named(b, n->kind(), operands, n->attrs(), name);
      } else {
        MNEMO_FAIL("--ensemble: the model's %" << n->name() << " is a " << opInfo(n->kind()).name
                                               << ", which an ensemble does not stack");
      }
    }
    losses.push_back(mine.at(one.find(lone.loss)));
    logits.push_back(mine.at(one.find("logits")));
  }
  Node* memberLoss = named(b, OpKind::Stack, losses, {{"axis", int64_t{0}}}, "member_loss");
  g->addOutput(named(b, OpKind::ReduceSum, {memberLoss}, {{"axes", std::vector<int64_t>{0}}}, "loss"));
  g->addOutput(memberLoss);
  g->addOutput(named(b, OpKind::Stack, logits, {{"axis", int64_t{0}}}, "logits"));
  return g;
}

}  // namespace

EnsembleLayout parseEnsembleLayout(const std::string& text) {
  if (text == "member") return EnsembleLayout::MemberMajor;
  if (text == "batched") return EnsembleLayout::Batched;
  MNEMO_FAIL("--ensemble-layout: expected member or batched, got '" << text << "'");
}

std::unique_ptr<Graph> buildNotebookEnsemble(const Model& lone, int64_t K, EnsembleLayout layout) {
  const std::vector<std::string> expected = {"w_ir", "w_rr", "b_rr", "w_ro", "b_ro"};
  if (lone.params != expected || lone.inputs.size() != 1 || !lone.consts.count("alpha"))
    MNEMO_FAIL("--ensemble stacks the built-in notebook model (params w_ir, w_rr, b_rr, w_ro, b_ro, one input, "
               "constant alpha); model " << lone.name << " is not of that shape");
  return layout == EnsembleLayout::MemberMajor ? buildMemberMajor(lone, K) : buildBatched(lone, K);
}

std::vector<float> memberSlice(const std::vector<float>& stacked, int64_t member, int64_t members) {
  const size_t per = stacked.size() / static_cast<size_t>(members);
  auto from = stacked.begin() + static_cast<std::ptrdiff_t>(per * static_cast<size_t>(member));
  return std::vector<float>(from, from + static_cast<std::ptrdiff_t>(per));
}

namespace {

/// A whole-string number of --ensemble-lr, or a one-line error.
double parseLr(const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno == ERANGE) MNEMO_FAIL("--ensemble-lr: '" << text << "' is not a number");
  return v;
}

/// The items of a comma list.
std::vector<std::string> commaItems(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  for (size_t comma; (comma = text.find(',', start)) != std::string::npos; start = comma + 1)
    items.push_back(text.substr(start, comma - start));
  items.push_back(text.substr(start));
  return items;
}

void checkLr(double lr, size_t member) {
  if (!(lr > 0) || !std::isfinite(lr))
    MNEMO_FAIL("--ensemble-lr: member " << member << "'s learning rate must be a positive number, got " << lr);
}

}  // namespace

std::vector<double> parseEnsembleLrs(const std::string& text, int64_t K) {
  std::vector<double> lrs;
  if (text.rfind("log:", 0) == 0) {
    const size_t colon = text.find(':', 4);
    if (colon == std::string::npos || text.find(':', colon + 1) != std::string::npos || text.find(',') != std::string::npos)
      MNEMO_FAIL("--ensemble-lr: expected log:A:B (e.g. log:1e-4:1e-2), got '" << text << "'");
    const double a = parseLr(text.substr(4, colon - 4)), b = parseLr(text.substr(colon + 1));
    checkLr(a, 0);
    checkLr(b, static_cast<size_t>(K - 1));
    for (int64_t k = 0; k < K; ++k)
      lrs.push_back(K == 1 ? a : a * std::pow(b / a, static_cast<double>(k) / static_cast<double>(K - 1)));
    if (K > 1) lrs.back() = b;  // exactly B, as written
  } else {
    for (const std::string& item : commaItems(text)) lrs.push_back(parseLr(item));
  }
  if (static_cast<int64_t>(lrs.size()) != K)
    MNEMO_FAIL("--ensemble-lr gives " << lrs.size() << " learning rate" << (lrs.size() == 1 ? "" : "s") << " for --ensemble "
                                      << K << "; give one per member");
  for (size_t k = 0; k < lrs.size(); ++k) checkLr(lrs[k], k);
  return lrs;
}

namespace {

/// Refuses what an ensemble cannot do without coupling its members or stacking a model it does
/// not know, and member lists of the wrong length; each a one-line error.
void checkEnsembleRun(const TrainOptions& o, const EnsembleSpec& spec) {
  const int64_t K = spec.members;
  if (K < 1) MNEMO_FAIL("--ensemble must be at least 1, got " << K << " (leave --ensemble out for a lone run)");
  checkCount(K, kMaxEnsembleMembers, "--ensemble");
  auto checkLength = [&](size_t size, const char* flag) {
    if (size != 0 && size != static_cast<size_t>(K))
      MNEMO_FAIL(flag << " gives " << size << " value" << (size == 1 ? "" : "s") << " for --ensemble " << K
                      << "; give one per member");
  };
  checkLength(spec.lrs.size(), "--ensemble-lr");
  checkLength(spec.seeds.size(), "--ensemble-seeds");
  checkLength(spec.dirs.size(), "--ensemble-out");
  // Two members in one directory would meet at its lock as if another run held it.
  std::map<std::string, size_t> memberOfDir;
  for (size_t k = 0; k < spec.dirs.size(); ++k) {
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::weakly_canonical(spec.dirs[k], ec);
    if (ec) dir = std::filesystem::path(spec.dirs[k]).lexically_normal();
    auto [it, fresh] = memberOfDir.emplace(dir.string(), k);
    if (!fresh)
      MNEMO_FAIL("--ensemble-out gives members " << it->second << " and " << k << " one directory (" << spec.dirs[k]
                                                 << "); give each its own");
  }
  for (size_t k = 0; k < spec.lrs.size(); ++k) checkLr(spec.lrs[k], k);
  const RunConfig& run = o.run;
  if (run.modelSource != notebookModelSource())
    MNEMO_FAIL("--ensemble: supported for the built-in notebook model only; model file " << run.modelFile << " given");
  if (run.clipGradNorm != 0)
    MNEMO_FAIL("--ensemble: --clip-grad-norm clips by the norm over all parameters, which would couple the members; "
               "not supported");
  if (!o.initCheckpoint.empty()) MNEMO_FAIL("--ensemble: --init (resuming) is not supported; start a new run");
  if (!o.dataFile.empty()) MNEMO_FAIL("--ensemble: --data is not supported; the members train on the task's stream");
  if (!run.feeds.empty()) MNEMO_FAIL("--ensemble: --feed is not supported (the built-in model has one input)");
  if (o.parallel) MNEMO_FAIL("--ensemble: data-parallel training (mpirun) is not supported");
}

/// Member \p k's run: the lone run it equals (its seed and learning rate).
RunConfig memberRun(const RunConfig& run, const EnsembleSpec& spec, int64_t k) {
  RunConfig r = run;
  const size_t i = static_cast<size_t>(k);
  r.seed = spec.seeds.empty() ? run.seed + static_cast<uint64_t>(k) : spec.seeds[i];
  if (!spec.lrs.empty()) r.lr = spec.lrs[i];
  return r;
}

/// "seeds 3..5" for consecutive seeds, else "seeds 3,9,4"; then "lr 0.001" or "lrs 0.001,0.003".
std::string describeMembers(const std::vector<RunConfig>& runs) {
  bool consecutive = true, oneLr = true;
  for (size_t k = 1; k < runs.size(); ++k) {
    consecutive = consecutive && runs[k].seed == runs[0].seed + k;
    oneLr = oneLr && runs[k].lr == runs[0].lr;
  }
  std::string text = "seeds ";
  if (consecutive) {
    text += std::to_string(runs[0].seed) + ".." + std::to_string(runs.back().seed);
  } else {
    for (size_t k = 0; k < runs.size(); ++k) text += (k ? "," : "") + std::to_string(runs[k].seed);
  }
  text += oneLr ? ", lr " : ", lrs ";
  for (size_t k = 0; k < (oneLr ? 1 : runs.size()); ++k) {
    char number[32];
    std::snprintf(number, sizeof number, "%g", runs[k].lr);
    text += (k ? "," : "") + std::string(number);
  }
  return text;
}

/// Member \p k's params and optimizer state (\p leaves: the graph's persistent leaves), as the
/// checkpoint of its lone run.
Checkpoint memberCheckpoint(const Session& s, const std::vector<Node*>& leaves, const RunConfig& run, int64_t k, int64_t K) {
  Checkpoint c;
  c.config = run;
  c.step = s.step();
  for (const Node* n : leaves) {
    auto& to = n->kind() == OpKind::Param ? c.params : c.state;
    to[n->name()] = StoredTensor{Dims(n->dims().begin() + 1, n->dims().end()), memberSlice(s.getF32(n->name()), k, K)};
  }
  return c;
}

/// "%w_rr of member 2 holds NaN ..." for the first non-finite param or optimizer state of a
/// member; empty if all are finite.
std::string firstNonFinite(const Session& s, const std::vector<Node*>& leaves, int64_t K) {
  for (const Node* n : leaves) {
    const float* v = s.f32(n->name());
    const int64_t count = n->type().numel(), per = count / K;
    for (int64_t i = 0; i < count; ++i)
      if (!std::isfinite(v[i]))
        return (n->kind() == OpKind::Param ? "%" : "optimizer state %") + n->name() + " of member " +
               std::to_string(i / per) + " holds NaN or infinite values after the update";
  }
  return "";
}

/// The members' batches as one: member k's [T,B,I] inputs and [T,B] labels at block k of
/// [K,T,B,I] and [K,T,B], as the stacked graph's %x and %labels take them; so one prefetch
/// thread makes all K.
class MemberBatches : public BatchSource {
 public:
  MemberBatches(std::vector<std::unique_ptr<BatchSource>> members, size_t inputsPerMember, size_t labelsPerMember)
      : members_(std::move(members)), inputsPerMember_(inputsPerMember), labelsPerMember_(labelsPerMember) {}
  void next(float* inputs, int64_t* labels) override {
    for (size_t k = 0; k < members_.size(); ++k)
      members_[k]->next(inputs + k * inputsPerMember_, labels + k * labelsPerMember_);
  }
  std::string describe() const override { return members_[0]->describe(); }

 private:
  std::vector<std::unique_ptr<BatchSource>> members_;
  size_t inputsPerMember_, labelsPerMember_;
};

}  // namespace

EnsembleResult trainEnsemble(const TrainOptions& o, int64_t K) {
  EnsembleSpec spec;
  spec.members = K;
  return trainEnsemble(o, spec);
}

EnsembleResult trainEnsemble(const TrainOptions& o, const EnsembleSpec& spec) {
  checkEnsembleRun(o, spec);
  const int64_t K = spec.members;
  RunConfig run = o.run;
  checkCount(run.steps, limits::kMaxTrainingSteps, "--steps");
  if (spec.lrs.empty() && (run.lr <= 0 || !std::isfinite(run.lr)))
    MNEMO_FAIL("--lr must be a positive number, got " << run.lr);
  if (o.printEvery < 1) MNEMO_FAIL("--print-every must be at least 1, got " << o.printEvery);
  if (o.checkpointEvery < 1) MNEMO_FAIL("--checkpoint-every must be at least 1, got " << o.checkpointEvery);
  std::vector<std::string> memberDirs;
  for (int64_t k = 0; k < K; ++k)
    memberDirs.push_back(!spec.dirs.empty() ? spec.dirs[static_cast<size_t>(k)]
                         : o.outDir.empty()  ? ""
                                             : o.outDir + "/member-" + std::to_string(k));
  const ExistingRun existing{"", o.overwrite,
                             o.existingRunAdvice.empty()
                                 ? "choose another --out (or --ensemble-out), or give --overwrite to replace it"
                                 : o.existingRunAdvice};
  for (const std::string& dir : memberDirs) checkExistingRun(dir, existing);
  std::shared_ptr<const Task> task = runTask(run, /*quiet=*/true);
  bindTaskSizes(run, parseRunModel(run), *task);
  for (int64_t k = 0; k < K; ++k) checkLrSchedule(memberRun(run, spec, k));
  Model lone = parseRunModel(run);  // at the task's sizes
  checkTaskSizes(run, lone, *task);

  Model stacked;
  stacked.graph = buildNotebookEnsemble(lone, K, spec.layout);
  stacked.name = lone.name;
  stacked.input = "x";
  stacked.inputs = {"x"};
  stacked.labels = "labels";
  stacked.logits = "logits";
  stacked.params = lone.params;
  // One optimizer hyper row per member: each member at its own learning rate.
  CompiledModel cm = compileParsedModel(std::move(stacked), {true, o.fuse, o.threads, run.optimizer, 0, o.microKernels, K});
  Session& s = *cm.session;
  const std::vector<Node*> leaves = cm.graph().persistentLeaves();
  const int64_t T = run.seqLen, B = run.batch;
  const int64_t I = lone.graph->find(lone.input)->dims().back();
  const int64_t O = lone.graph->find("logits")->dims().back();

  // Member k: its seed for its initialisation and its data, its lr, as its lone run.
  const size_t memberX = static_cast<size_t>(T * B * I), memberY = static_cast<size_t>(T * B);
  std::vector<RunConfig> runs;
  std::vector<std::unique_ptr<BatchSource>> memberBatches;
  for (int64_t k = 0; k < K; ++k) {
    runs.push_back(memberRun(run, spec, k));
    memberBatches.push_back(taskBatches(runs.back(), I));
    if (checkTargetKind(*lone.graph->find(lone.labels), *memberBatches.back(), "task " + run.task))
      MNEMO_FAIL("--ensemble: task " << run.task << " has continuous targets; only class targets are supported");
  }
  // As a lone run does: the next step's batches made on a second thread while this step runs.
  std::unique_ptr<BatchSource> batches = std::make_unique<MemberBatches>(std::move(memberBatches), memberX, memberY);
  if (o.prefetch && prefetchHelps(o.threads))
    batches = prefetchBatches(std::move(batches), memberX * static_cast<size_t>(K), memberY * static_cast<size_t>(K));
  for (const std::string& p : lone.params) {
    std::vector<float> values;
    for (int64_t k = 0; k < K; ++k) {
      std::vector<float> v = initParams(*lone.graph, runs[k].seed).at(p);
      values.insert(values.end(), v.begin(), v.end());
    }
    s.setF32(p, values);
  }
  s.setHyper(optimizerHyper(run, 0));
  std::vector<std::unique_ptr<RunDirectory>> dirs;
  for (const std::string& dir : memberDirs) dirs.push_back(std::make_unique<RunDirectory>(dir, existing));

  EnsembleResult result;
  result.members.resize(static_cast<size_t>(K));
  result.compileMilliseconds = cm.compileMilliseconds;
  result.kernelsPerStep = s.executable().kernelCount(Stage::Opt);
  std::vector<float> x(memberX * static_cast<size_t>(K));
  std::vector<int64_t> y(memberY * static_cast<size_t>(K));
  ProgressLine progress(o.progress, run.steps);
  if (o.out)
    *o.out << "mnemo train: ensemble of " << K << " members (" << describeMembers(runs) << ") of model "
           << lone.name << " (" << run.modelFile << ") in one graph, " << batches->describe()
           << ", B=" << B << " T=" << T << ", " << (!o.fuse ? "unfused" : o.microKernels ? "fused" : "fused, oneDNN only")
           << (spec.layout == EnsembleLayout::Batched ? ", batched layout" : "") << " (" << result.kernelsPerStep
           << " kernels/step), compiled in " << static_cast<int>(cm.compileMilliseconds)
           << " ms\n";

  std::vector<double> lrs(static_cast<size_t>(K));
  auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < run.steps; ++i) {
    batches->next(x.data(), y.data());
    s.setF32("x", x);
    s.setI64("labels", y);
    for (size_t k = 0; k < lrs.size(); ++k) lrs[k] = learningRateAt(runs[k], s.step() + 1);
    s.setLearningRates(lrs);
    const float total = s.trainStep();
    const int64_t step = s.step();
    std::string broken = !std::isfinite(total) ? std::string("the summed loss is ") + (std::isnan(total) ? "NaN" : "infinite")
                                               : firstNonFinite(s, leaves, K);
    if (!broken.empty()) {
      progress.clear();
      MNEMO_FAIL("--ensemble: step " << step << ": " << broken << "; training stopped");
    }
    const float* losses = s.f32("member_loss");
    const float* logits = s.f32("logits");
    for (int64_t k = 0; k < K; ++k) {
      TrainResult& r = result.members[static_cast<size_t>(k)];
      const double acc = decisionAccuracy(logits + static_cast<size_t>(k * O) * memberY, y.data() + k * memberY, memberY,
                                          static_cast<size_t>(O));
      r.loss.push_back(losses[k]);
      r.accuracy.push_back(acc);
      r.lastStep = step;
      r.runningLoss = trailingMean(r.loss, 100);
      r.runningAccuracy = trailingMean(r.accuracy, 100);
      dirs[k]->recordStep(step, losses[k], acc, r.runningLoss, r.runningAccuracy);
      if (step % o.printEvery == 0 && o.out) {
        progress.clear();
        char line[160];
        std::snprintf(line, sizeof line, "Step %lld, member %lld (seed %llu, lr %g), Loss %0.4f, Acc %0.3f",
                      static_cast<long long>(step), static_cast<long long>(k),
                      static_cast<unsigned long long>(runs[k].seed), runs[k].lr, r.runningLoss, r.runningAccuracy);
        *o.out << line << "\n" << std::flush;
      }
      if (step % o.checkpointEvery == 0 || i + 1 == run.steps)
        dirs[k]->saveCheckpoint(memberCheckpoint(s, leaves, runs[k], k, K));
    }
    progress.update(i + 1, result.members[0].runningLoss, result.members[0].runningAccuracy);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.clear();
  for (int64_t k = 0; k < K; ++k) {
    TrainResult& r = result.members[static_cast<size_t>(k)];
    r.seconds = result.seconds;
    r.compileMilliseconds = result.compileMilliseconds;
    r.kernelsPerStep = result.kernelsPerStep;
    for (const std::string& p : lone.params) {
      std::vector<float> v = memberSlice(s.getF32(p), k, K);
      r.finalParams.insert(r.finalParams.end(), v.begin(), v.end());
    }
    result.finalStates.push_back(memberCheckpoint(s, leaves, runs[k], k, K));
    dirs[k]->finish();
  }
  if (o.out) {
    char line[200];
    const double steps = static_cast<double>(run.steps);
    std::snprintf(line, sizeof line,
                  "trained %lld members for %lld steps in %.2f s (%.2f ms/step, %.1f member-steps/s, data included)",
                  static_cast<long long>(K), static_cast<long long>(run.steps), result.seconds,
                  1000 * result.seconds / steps, steps * static_cast<double>(K) / result.seconds);
    *o.out << line;
    if (!spec.dirs.empty()) *o.out << "; wrote the " << K << " --ensemble-out directories";
    else if (!o.outDir.empty()) *o.out << "; wrote " << o.outDir << "/member-{0.." << K - 1 << "}/";
    *o.out << "\n";
  }
  return result;
}

}  // namespace mnemo
