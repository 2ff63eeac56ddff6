#include "runtime/reference/evaluator.h"

#include <random>

#include "support/error.h"
#include "ops/op_table.h"

namespace mnemo {

void ReferenceEvaluator::bind(const std::string& name, RefTensor value) {
  Node* n = g_.find(name);
  if (!n) MNEMO_FAIL("graph @" << g_.name() << " has no value %" << name);
  if (n->kind() != OpKind::Input && n->kind() != OpKind::Param && n->kind() != OpKind::State)
    MNEMO_FAIL("%" << name << " is a " << opName(n->kind()) << ", not an input, param or state");
  if (value.type != n->type())
    MNEMO_FAIL("value for %" << name << " has type " << value.type.str() << ", expected " << n->type().str());
  if (value.data.size() != static_cast<size_t>(n->type().numel()))
    MNEMO_FAIL("value for %" << name << " has " << value.data.size() << " elements, expected " << n->type().numel());
  values_[n] = std::move(value);
}

namespace {
/// Classes of the loss that reads labels \p n (its logits' last dimension), or 3.
int64_t labelClasses(const Node* n) {
  for (const Use& u : n->uses())
    if ((u.user->kind() == OpKind::SoftmaxXent || u.user->kind() == OpKind::SoftmaxXentRows) && u.index == 1)
      return u.user->operand(0)->dims()[1];
  return 3;
}
bool isAdamHyper(const Node* n) {
  for (const Use& u : n->uses())
    if (u.user->kind() == OpKind::AdamUpdate && u.index == 4) return true;
  return false;
}
bool isSgdHyper(const Node* n) {
  for (const Use& u : n->uses())
    if (u.user->kind() == OpKind::SgdUpdate && u.index == 3) return true;
  return false;
}
}  // namespace

void ReferenceEvaluator::bindRandom(uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (Node* n : g_.nodes()) {
    bool bindable = n->kind() == OpKind::Input || n->kind() == OpKind::Param || n->kind() == OpKind::State;
    if (!bindable || values_.count(n)) continue;
    RefTensor t(n->type());
    if (isAdamHyper(n) || isSgdHyper(n)) {  // the row in every row (one per member, if stacked)
      const std::vector<double> row = isAdamHyper(n) ? std::vector<double>{1e-3, 0.9, 0.999, 1e-8, 1}
                                                     : std::vector<double>{1e-2, 0.9, 1};
      for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = row[i % row.size()];
    } else if (n->type().dtype == DType::I64) {
      std::uniform_int_distribution<int64_t> dist(0, labelClasses(n) - 1);
      for (double& x : t.data) x = static_cast<double>(dist(rng));
    } else {
      std::uniform_real_distribution<double> dist(n->kind() == OpKind::State ? 0.0 : -1.0, 1.0);
      for (double& x : t.data) x = dist(rng);
    }
    values_[n] = std::move(t);
  }
}

RefTensor ReferenceEvaluator::evaluateRegion(const Node& n, const std::vector<RefTensor*>& ins) {
  ReferenceEvaluator inner(*n.body());
  size_t i = 0;
  for (const Node* p : n.body()->nodes())
    if (p->kind() == OpKind::Input) inner.bind(p->name(), *ins.at(i++));
  inner.run();
  return inner.value(n.body()->outputs()[0]);
}

void ReferenceEvaluator::roundValues(std::vector<double>& values, uint64_t salt) const {
  uint64_t state = 0x9E3779B97F4A7C15ull ^ (salt * 0xBF58476D1CE4E5B9ull);
  for (double& v : values) {
    float f = static_cast<float>(v);
    if (jitterUlps_ > 0) {  // splitmix64 steps: a fixed pseudo-random u per value
      state += 0x9E3779B97F4A7C15ull;
      uint64_t z = state;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z ^= z >> 31;
      // |u| in [1/4, 1]: every non-zero value moves by at least a few ulps (zeros stay zeros).
      const double w = static_cast<double>(z >> 12) * 0x1.0p-52;  // [0, 1)
      const double u = (z & 1 ? -1.0 : 1.0) * (0.25 + 0.75 * w);
      f = static_cast<float>(static_cast<double>(f) * (1.0 + u * jitterUlps_ * 0x1.0p-24));
    }
    v = static_cast<double>(f);
  }
}

void ReferenceEvaluator::run(Stage last) {
  for (Node* n : g_.nodes()) {
    const OpInfo& info = opInfo(n->kind());
    if (info.category == Category::Leaf) {
      if (n->kind() == OpKind::Constant) {
        RefTensor t(n->type());
        info.evaluate(*n, {}, t);
        values_[n] = std::move(t);
      } else if (!values_.count(n)) {
        MNEMO_FAIL(opName(n->kind()) << " %" << n->name() << " has no value bound");
      }
      continue;
    }
    if (n->stage() > last) continue;
    std::vector<RefTensor*> ins;
    for (Node* op : n->operands()) {
      auto it = values_.find(op);
      MNEMO_CHECK(it != values_.end(), "%" << op->name() << " evaluated before its definition");
      ins.push_back(&it->second);
    }
    RefTensor out(n->type());
    if (n->kind() == OpKind::Fused) out = evaluateRegion(*n, ins);
    else info.evaluate(*n, ins, out);
    if (roundToFloat_ && n->type().dtype == DType::F32) roundValues(out.data, n->id());
    if (!n->type().isNone()) values_[n] = std::move(out);
  }
}

const RefTensor& ReferenceEvaluator::value(const Node* n) const {
  auto it = values_.find(n);
  if (it == values_.end()) MNEMO_FAIL("%" << n->name() << " has not been evaluated");
  return it->second;
}

const RefTensor& ReferenceEvaluator::value(const std::string& name) const {
  Node* n = g_.find(name);
  if (!n) MNEMO_FAIL("graph @" << g_.name() << " has no value %" << name);
  return value(n);
}

}  // namespace mnemo
