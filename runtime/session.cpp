#include "runtime/session.h"

#include <algorithm>
#include <cstring>

#include "support/error.h"
#include "ops/op_table.h"

namespace mnemo {

namespace {

/// The values per row of an optimizer's hyper state: f32[width], or f32[members, width] with
/// one row per member of an ensemble (ops/optim.cpp).
int64_t hyperWidth(const Node* h) { return h->dims().empty() ? 1 : h->dims().back(); }
int64_t hyperRows(const Node* h) { return h->type().numel() / hyperWidth(h); }

}  // namespace

Session::Session(const Graph& g, const CompileOptions& opts) : g_(g), exe_(g, opts) {
  // The optimizer's hyper-parameter states: marked `hyper` by the optimizer pass (or, in a graph
  // written by hand, read by an adam_update).
  auto addHyper = [&](const Node* h) {
    if (std::find(hypers_.begin(), hypers_.end(), h) == hypers_.end()) hypers_.push_back(h);
  };
  for (const RoleMark& m : g.roles())
    if (m.role == Role::Hyper) addHyper(m.node);
  for (const Node* n : g.nodes())
    if (n->kind() == OpKind::AdamUpdate) addHyper(n->operand(4));
  for (const Node* n : g.nodes())
    if (opInfo(n->kind()).category == Category::Random &&
        std::find(rngStates_.begin(), rngStates_.end(), n->operand(0)) == rngStates_.end())
      rngStates_.push_back(n->operand(0));
  if (!hypers_.empty() && hyperWidth(hypers_[0]) != 5) return;  // not Adam: the caller binds setHyper
  if (!hypers_.empty()) setAdam(1e-3);
}

Node* Session::leafOrOutput(const std::string& name, bool forWrite) const {
  Node* n = g_.find(name);
  if (!n) MNEMO_FAIL("graph @" << g_.name() << " has no value %" << name);
  bool writable = n->kind() == OpKind::Input || n->kind() == OpKind::Param || n->kind() == OpKind::State;
  if (forWrite && !writable) MNEMO_FAIL("%" << name << " is a " << opName(n->kind()) << ", not an input, param or state");
  if (!forWrite && !n->isLeaf() && !g_.isOutput(n))
    MNEMO_FAIL("%" << name << " is an intermediate value; only inputs, params, state and outputs can be read");
  return n;
}

void Session::setF32(const std::string& name, const float* data, size_t count) {
  Node* n = leafOrOutput(name, true);
  if (n->type().dtype != DType::F32) MNEMO_FAIL("%" << name << " is " << n->type().str() << ", not f32");
  if (count != static_cast<size_t>(n->type().numel()))
    MNEMO_FAIL("%" << name << " is " << n->type().str() << " (" << n->type().numel() << " values), got " << count);
  std::memcpy(exe_.address(n), data, count * sizeof(float));
}

void Session::setI64(const std::string& name, const int64_t* data, size_t count) {
  Node* n = leafOrOutput(name, true);
  if (n->type().dtype != DType::I64) MNEMO_FAIL("%" << name << " is " << n->type().str() << ", not i64");
  if (count != static_cast<size_t>(n->type().numel()))
    MNEMO_FAIL("%" << name << " is " << n->type().str() << " (" << n->type().numel() << " values), got " << count);
  std::memcpy(exe_.address(n), data, count * sizeof(int64_t));
}

const float* Session::f32(const std::string& name) const {
  Node* n = leafOrOutput(name, false);
  if (n->type().dtype != DType::F32) MNEMO_FAIL("%" << name << " is " << n->type().str() << ", not f32");
  return reinterpret_cast<const float*>(exe_.address(n));
}

std::vector<float> Session::getF32(const std::string& name) const {
  const float* p = f32(name);
  return std::vector<float>(p, p + g_.find(name)->type().numel());
}

void Session::setHyper(const std::vector<double>& values) {
  if (hypers_.empty()) MNEMO_FAIL("graph @" << g_.name() << " has no optimizer");
  for (const Node* h : hypers_) {
    const size_t width = static_cast<size_t>(hyperWidth(h)), count = static_cast<size_t>(h->type().numel());
    if (values.size() != width && values.size() != count)
      MNEMO_FAIL("optimizer hyper-parameters %" << h->name() << " hold " << width << " values"
                                                << (count == width ? "" : " per row") << ", got " << values.size()
                                                << " (another optimizer's?)");
    // One row's values go to every row (every member); a whole table is copied as it is.
    float* p = reinterpret_cast<float*>(exe_.address(h));
    for (size_t i = 0; i < count; ++i) p[i] = static_cast<float>(values[i % values.size()]);
  }
  hyperBound_ = true;
}

void Session::setAdam(double lr, double beta1, double beta2, double eps, int64_t step) {
  if (hypers_.empty()) MNEMO_FAIL("graph @" << g_.name() << " has no Adam updates");
  for (const Node* h : hypers_)
    if (hyperWidth(h) != 5) MNEMO_FAIL("graph @" << g_.name() << " trains with another optimizer than Adam");
  setHyper({lr, beta1, beta2, eps, static_cast<double>(step)});
}

void Session::setRandomSeed(int64_t seed, int64_t counter) {
  for (const Node* r : rngStates_) {
    int64_t* p = reinterpret_cast<int64_t*>(exe_.address(r));
    p[0] = seed, p[1] = counter;
  }
}

void Session::setLearningRate(double lr) {
  for (const Node* h : hypers_)
    for (int64_t row = 0; row < hyperRows(h); ++row)
      reinterpret_cast<float*>(exe_.address(h))[row * hyperWidth(h)] = static_cast<float>(lr);
}

void Session::setLearningRates(const std::vector<double>& lrs) {
  if (hypers_.empty()) MNEMO_FAIL("graph @" << g_.name() << " has no optimizer");
  for (const Node* h : hypers_) {
    if (hyperRows(h) != static_cast<int64_t>(lrs.size()))
      MNEMO_FAIL("optimizer hyper-parameters %" << h->name() << " hold " << hyperRows(h) << " row"
                                                << (hyperRows(h) == 1 ? "" : "s") << " (one per member), got "
                                                << lrs.size() << " learning rates");
    for (size_t row = 0; row < lrs.size(); ++row)
      reinterpret_cast<float*>(exe_.address(h))[static_cast<int64_t>(row) * hyperWidth(h)] = static_cast<float>(lrs[row]);
  }
}

// Every optimizer's hyper-parameters end with the step counter t (the same in every row).
int64_t Session::step() const {
  if (hypers_.empty()) return 0;
  return static_cast<int64_t>(reinterpret_cast<const float*>(exe_.address(hypers_[0]))[hyperWidth(hypers_[0]) - 1]);
}

void Session::checkHyperBound() const {
  if (!hypers_.empty() && !hyperBound_)
    MNEMO_FAIL("graph @" << g_.name() << ": bind the optimizer's hyper-parameters (setHyper) before the first step");
}

float Session::trainStep() {
  const float loss = computeGradients();
  applyUpdate();
  return loss;
}

float Session::computeGradients() {
  checkHyperBound();
  for (const Node* r : rngStates_) reinterpret_cast<int64_t*>(exe_.address(r))[1] += 1;  // fresh noise
  exe_.run(Stage::Bwd);
  if (g_.outputs().empty()) MNEMO_FAIL("graph @" << g_.name() << " returns no loss");
  return *reinterpret_cast<const float*>(exe_.address(g_.outputs()[0]));
}

void Session::applyUpdate() {
  checkHyperBound();
  for (const Node* h : hypers_)
    for (int64_t row = 1; row <= hyperRows(h); ++row)
      reinterpret_cast<float*>(exe_.address(h))[row * hyperWidth(h) - 1] += 1.f;
  exe_.runStage(Stage::Opt);
}

}  // namespace mnemo
