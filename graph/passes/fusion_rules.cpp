#include "graph/passes/fusion_rules.h"

#include "graph/error.h"

namespace mnemo {

namespace {

bool scalarConstant(const Node* n, double* value) {
  if (n->kind() != OpKind::Constant) return false;
  *value = n->attrs().getFloat("value");
  return true;
}

std::string shapeOf(const Node* n) { return "%" + n->name() + " " + n->type().str(); }

}  // namespace

FusionDecision epilogueStep(const Node* n, int accIndex, EpilogueStep* step) {
  const Node* acc = n->operand(accIndex);
  if (n->info().category != Category::Elementwise)
    return FusionDecision::no(std::string("consumer is ") + categoryName(n->info().category) + ", not elementwise");
  if (n->dims() != acc->dims()) return FusionDecision::no("result " + n->type().str() + " is larger than the matmul's");
  *step = EpilogueStep{};
  step->op = n->kind();
  switch (n->kind()) {
    case OpKind::Relu: case OpKind::Tanh: case OpKind::Sigmoid: case OpKind::Exp: case OpKind::Log:
    case OpKind::Sqrt: case OpKind::Square:
      return FusionDecision::yes();
    case OpKind::Neg:
      step->linear = true, step->alpha = -1.f;
      return FusionDecision::yes();
    case OpKind::Add: case OpKind::Sub: case OpKind::Mul: case OpKind::Div: break;
    default: return FusionDecision::no(std::string("op '") + opName(n->kind()) + "' has no oneDNN post-op");
  }
  int other = 1 - accIndex;
  const Node* rhs = n->operand(other);
  double c;
  if (scalarConstant(rhs, &c)) {  // a uniform constant: alpha·x + beta
    float v = static_cast<float>(c);
    step->linear = true;
    switch (n->kind()) {
      case OpKind::Add: step->beta = v; break;
      case OpKind::Sub: accIndex == 0 ? (step->beta = -v) : (step->alpha = -1.f, step->beta = v); break;
      case OpKind::Mul: step->alpha = v; break;
      default:
        if (accIndex != 0) return FusionDecision::no("constant divided by the result has no post-op");
        step->alpha = 1.f / v;
    }
    return FusionDecision::yes();
  }
  bool commutative = n->kind() == OpKind::Add || n->kind() == OpKind::Mul;
  if (!commutative && accIndex != 0)
    return FusionDecision::no(std::string("the matmul result is the right operand of '") + opName(n->kind()) + "'");
  const Dims& d = acc->dims();
  const Dims& r = rhs->dims();
  bool full = r == d;
  bool perColumn = (r.size() == 1 && r[0] == d.back()) || (r.size() == 2 && r[0] == 1 && r[1] == d.back());
  bool single = rhs->type().numel() == 1;
  if (!full && !perColumn && !single)
    return FusionDecision::no("operand " + shapeOf(rhs) + " broadcasts per row; oneDNN runs that as reference code");
  step->kind = EpilogueStep::Binary;
  step->otherIndex = other;
  return FusionDecision::yes();
}

int postOpCount(const EpilogueStep& step) {
  if (step.kind == EpilogueStep::Binary || !step.linear) return 1;
  return (step.alpha != 1.f) + (step.beta != 0.f || step.alpha == 1.f);
}

bool loopKernelRuns(OpKind k) {
  switch (k) {
    case OpKind::Add: case OpKind::Sub: case OpKind::Mul: case OpKind::Div: case OpKind::ReluGrad:
    case OpKind::Neg: case OpKind::Relu: case OpKind::Tanh: case OpKind::Sigmoid: case OpKind::Exp:
    case OpKind::Log: case OpKind::Sqrt: case OpKind::Square:
      return true;
    default: return false;
  }
}

FusionDecision loopFusable(const Node* n) {
  if (!loopKernelRuns(n->kind()))
    return FusionDecision::no(std::string("the fused loop has no kernel for op '") + opName(n->kind()) + "'");
  switch (n->kind()) {
    case OpKind::Tanh: case OpKind::Sigmoid: case OpKind::Exp: case OpKind::Log:
      return FusionDecision::no(std::string(opName(n->kind())) +
                                " runs vectorised in oneDNN's eltwise kernel; the fused loop's scalar libm call is slower");
    case OpKind::Less: case OpKind::LessEqual: case OpKind::Greater: case OpKind::GreaterEqual: case OpKind::Equal:
    case OpKind::Where:
      return FusionDecision::no(std::string(opName(n->kind())) + " has no code in the fused loop; it runs as its own loop kernel");
    default: return FusionDecision::yes();
  }
}

FusionDecision elementwiseProducer(const Node* p, const Dims& dims, Stage stage) {
  if (p->isLeaf()) return FusionDecision::no("producer is a " + std::string(opName(p->kind())) + " (a region parameter)");
  if (p->info().category != Category::Elementwise)
    return FusionDecision::no(std::string("producer ") + opName(p->kind()) + " is not elementwise (category=" +
                              categoryName(p->info().category) + ")");
  if (p->stage() != stage)
    return FusionDecision::no(std::string("producer is in stage ") + stageName(p->stage()) + ", the region in " +
                              stageName(stage));
  if (p->dims() != dims)
    return FusionDecision::no("producer has shape " + dimsStr(p->dims()) + ", the region iterates over " + dimsStr(dims));
  return loopFusable(p);
}

}  // namespace mnemo
