// StepGraph (see analysis/fixed_point_graph.h): the model unrolled for one step, its initial
// states replaced by candidate leaves, then either the fixed-point loss with autodiff and Adam or
// the vector-Jacobian product, then mnemo's inference optimizations, then a Session.
#include "analysis/fixed_point_graph.h"

#include <chrono>

#include "frontend/init.h"
#include "ops/builder.h"
#include "support/error.h"
#include "graph/passes/pass_manager.h"
#include "graph/passes/adam.h"
#include "graph/passes/autodiff.h"

namespace mnemo {

int64_t StateLayout::offset(size_t i) const {
  int64_t at = 0;
  for (size_t k = 0; k < i; ++k) at += sizes[k];
  return at;
}

namespace {

/// Sums \p v over every axis but the first (the candidate axis): f32[C].
Node* sumPerCandidate(Builder& b, Node* v) {
  std::vector<int64_t> axes;
  for (int64_t a = 1; a < static_cast<int64_t>(v->dims().size()); ++a) axes.push_back(a);
  return axes.empty() ? v : b.reduceSum(v, axes);
}

/// Sums \p v over every axis: f32[].
Node* sumAll(Builder& b, Node* v) {
  std::vector<int64_t> axes;
  for (int64_t a = 0; a < static_cast<int64_t>(v->dims().size()); ++a) axes.push_back(a);
  return b.reduceSum(v, axes);
}

Node* addOrFirst(Builder& b, Node* sum, Node* term) { return sum ? b.add(sum, term) : term; }

}  // namespace

StepGraph::StepGraph(const Checkpoint& ckpt, int64_t candidates, StepGraphUse use, const std::vector<float>& input,
                     bool fuse)
    : candidates_(candidates), use_(use) {
  if (candidates < 1) MNEMO_FAIL("fixed points: need at least one candidate, got " << candidates);
  const auto start = std::chrono::steady_clock::now();
  ModelOptions opts = runModelOptions(ckpt.config);
  opts.batch = candidates;
  opts.seqLen = 1;
  opts.noise = false;  // F is the noise-free step: randn is 0 and rand 0.5, so q and J are deterministic
  opts.returnHidden = true;  // %hs (and %hs.<state>) stack each state after the step: its value is F
  model_.model = parseModel(ckpt.config.modelSource, ckpt.config.modelFile, opts);
  const Model& m = model_.model;
  Graph& g = *m.graph;
  const std::string what = "the model of " + ckpt.config.modelFile;

  // The constant input: one step's worth for each candidate.
  Node* x = g.find(m.input);
  const int64_t perStep = x->type().numel() / candidates;
  if (static_cast<int64_t>(input.size()) != perStep)
    MNEMO_FAIL("fixed points: the input u has " << input.size() << " values but " << what << " takes " << perStep
                                                << " per step (input " << m.input << " " << x->type().str() << ")");

  // Candidate leaves in place of the initial states.
  Builder b(g);
  b.setInsertPoint(g.nodes().front());
  std::vector<Node*> cands, nexts;
  for (const std::string& s : m.states) {
    Node* first = g.find(s + "_0");
    Node* next = g.find(stateOutputName(m, s))->operand(0);
    if (!first)
      MNEMO_FAIL("fixed points: " << what << " starts state '" << s
                                  << "' from a tensor of its full shape; only a constant or broadcast start (%" << s
                                  << "_0) can be replaced by candidates");
    if (first->dims().empty() || first->dims()[0] != candidates)
      MNEMO_FAIL("fixed points: state '" << s << "' of " << what << " is " << first->type().str()
                                         << "; its first axis must be the batch B");
    Node* cand = use == StepGraphUse::Minimise ? b.param("fp." + s, first->dims(), "zeros")
                                               : b.input("fp." + s, first->type());
    g.replaceAllUsesWith(first, cand);
    if (next == first) next = cand;  // a state the step leaves as it is
    layout_.names.push_back(s);
    layout_.sizes.push_back(first->type().numel() / candidates);
    layout_.total += layout_.sizes.back();
    cands.push_back(cand);
    nexts.push_back(next);
    candidateLeaves_.push_back(cand->name());
  }
  b.setInsertPoint(nullptr);

  // The loss and outputs this use needs; output positions are kept because optimizations may
  // replace the nodes (and with them the names) of outputs.
  std::vector<size_t> nextAt, gradAt;
  size_t qAt = 0;
  for (Node* n : nexts) {
    nextAt.push_back(g.outputs().size());
    g.addOutput(n);
  }
  if (use == StepGraphUse::Minimise) {
    Node* q = nullptr;
    for (size_t i = 0; i < cands.size(); ++i)
      q = addOrFirst(b, q, sumPerCandidate(b, b.square(b.sub(nexts[i], cands[i]))));
    q = b.create(OpKind::Mul, {q, b.constant(0.5)}, {}, "fp.q");
    Node* total = b.create(OpKind::ReduceSum, {q}, {{"axes", std::vector<int64_t>{0}}}, "fp.q_total");
    qAt = g.outputs().size();
    g.addOutput(q);
    g.addOutput(total);
    autodiff(g, total, cands);
    addAdam(g);
  } else {
    Node* product = nullptr;
    for (size_t i = 0; i < cands.size(); ++i) {
      Node* seed = b.input("seed." + layout_.names[i], cands[i]->type());
      seedInputs_.push_back(seed->name());
      product = addOrFirst(b, product, sumAll(b, b.mul(nexts[i], seed)));
    }
    AutodiffOptions ad;
    ad.returnGradients = true;
    for (size_t i = 0; i < cands.size(); ++i) gradAt.push_back(g.outputs().size() + i);
    autodiff(g, product, cands, ad);
  }

  PassManager pm;
  buildPipeline(fuse ? "infer" : "infer-unfused", pm);
  model_.passes = pm.run(g);
  for (size_t at : nextAt) nextOutputs_.push_back(g.outputs().at(at)->name());
  for (size_t at : gradAt) gradOutputs_.push_back(g.outputs().at(at)->name());
  if (use == StepGraphUse::Minimise) qOutput_ = g.outputs().at(qAt)->name();

  CompileOptions copts;
  copts.threads = 1;
  model_.session = std::make_unique<Session>(g, copts);
  Session& session = *model_.session;
  // Fixed tensors come from their initialisers, trained params from the checkpoint.
  for (auto& [name, values] : initParams(g, ckpt.config.seed)) session.setF32(name, values);
  for (const std::string& p : m.params)
    session.setF32(p, storedValues(ckpt.params, p, p, g.find(p)->dims(), ckpt.config.modelFile));
  std::vector<float> xs;
  for (int64_t c = 0; c < candidates; ++c) xs.insert(xs.end(), input.begin(), input.end());
  session.setF32(m.input, xs);
  session.setI64(m.labels, std::vector<int64_t>(static_cast<size_t>(g.find(m.labels)->type().numel()), 0));
  feeds_ = std::make_unique<InputFeeds>(m, ckpt.config.feeds, ckpt.config.seed, "the constant input u");
  feeds_->feed(session);
  model_.compileMilliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

std::vector<float> StepGraph::gather(const std::vector<std::string>& names) const {
  std::vector<float> out(static_cast<size_t>(candidates_ * layout_.total));
  for (size_t i = 0; i < names.size(); ++i) {
    const float* v = model_.session->f32(names[i]);
    const int64_t n = layout_.sizes[i], at = layout_.offset(i);
    for (int64_t c = 0; c < candidates_; ++c)
      for (int64_t k = 0; k < n; ++k) out[static_cast<size_t>(c * layout_.total + at + k)] = v[c * n + k];
  }
  return out;
}

void StepGraph::scatter(const std::vector<std::string>& names, const std::vector<float>& values) {
  if (static_cast<int64_t>(values.size()) != candidates_ * layout_.total)
    MNEMO_FAIL("fixed points: " << values.size() << " state values for " << candidates_ << " candidates of "
                                << layout_.total);
  for (size_t i = 0; i < names.size(); ++i) {
    const int64_t n = layout_.sizes[i], at = layout_.offset(i);
    std::vector<float> part(static_cast<size_t>(candidates_ * n));
    for (int64_t c = 0; c < candidates_; ++c)
      for (int64_t k = 0; k < n; ++k) part[static_cast<size_t>(c * n + k)] = values[static_cast<size_t>(c * layout_.total + at + k)];
    model_.session->setF32(names[i], part);
  }
}

void StepGraph::setStates(const std::vector<float>& states) { scatter(candidateLeaves_, states); }
std::vector<float> StepGraph::states() const { return gather(candidateLeaves_); }
std::vector<float> StepGraph::next() const { return gather(nextOutputs_); }

std::vector<float> StepGraph::q() const {
  if (use_ != StepGraphUse::Minimise) MNEMO_FAIL("fixed points: q is computed by the minimising graph only");
  return model_.session->getF32(qOutput_);
}

void StepGraph::startAdam(double lr) { model_.session->setAdam(lr); }

void StepGraph::adamStep(double lr) {
  model_.session->setLearningRate(lr);
  model_.session->trainStep();
}

void StepGraph::evaluate() { model_.session->forward(); }

std::vector<double> StepGraph::jacobians() {
  if (use_ != StepGraphUse::Jacobian) MNEMO_FAIL("fixed points: Jacobians come from the Jacobian graph");
  const int64_t D = layout_.total;
  constexpr int64_t kMaxEntries = int64_t{1} << 27;  // 1 GiB of doubles
  if (candidates_ * D > kMaxEntries / D)
    MNEMO_FAIL("fixed points: the Jacobians of " << candidates_ << " states of size " << D << " would take "
                                                 << (candidates_ * D / 1024.0 * D * 8 / 1024 / 1024)
                                                 << " GiB; use fewer --candidates (the Newton polish takes the Jacobian of every candidate; --newton 0 skips it)");
  std::vector<double> out(static_cast<size_t>(candidates_ * D * D));
  for (int64_t row = 0; row < D; ++row) {
    std::vector<float> seed(static_cast<size_t>(candidates_ * D), 0.0f);
    for (int64_t c = 0; c < candidates_; ++c) seed[static_cast<size_t>(c * D + row)] = 1.0f;
    scatter(seedInputs_, seed);
    model_.session->executable().run(Stage::Bwd);
    const std::vector<float> grad = gather(gradOutputs_);
    for (int64_t c = 0; c < candidates_; ++c)
      for (int64_t col = 0; col < D; ++col)
        out[static_cast<size_t>((c * D + row) * D + col)] = grad[static_cast<size_t>(c * D + col)];
  }
  return out;
}

}  // namespace mnemo
