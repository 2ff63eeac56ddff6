#include "runtime/target/fusion_rules.h"

#include "support/error.h"
#include "ops/match.h"
#include "ops/op_table.h"

namespace mnemo {

namespace {

/// add, sub, mul and div with a constant are alpha·x + beta (the switch in epilogueStep).
bool linearInItsOperands(OpKind k) {
  return k == OpKind::Add || k == OpKind::Sub || k == OpKind::Mul || k == OpKind::Div;
}

std::string shapeOf(const Node* n) { return "%" + n->name() + " " + n->type().str(); }

// The micro-kernel's size limits (microMatmul).
constexpr int64_t kMicroMaxWeights = 128 * 128;
constexpr int64_t kMicroStreamRows = 16;
constexpr int64_t kMicroMaxFlops = 4000000;
constexpr int64_t kMicroVector = 16;  // floats in an AVX-512 register
constexpr int64_t kMicroMaxNarrowFlops = 500000;
constexpr int64_t kMicroDotMaxColumns = 4;  // gemmDot groups lanes / N rows: N ≤ 4 ≤ AVX2's 8 lanes

/// A batched product's epilogue runs in registers only (micro_matmul.cpp's registerStep): relu,
/// and add, sub, mul, maximum, minimum and relu_grad with a full operand or a constant.
FusionDecision batchedEpilogueStep(const Node* n, int accIndex) {
  const OpKind k = n->kind();
  if (k == OpKind::Relu) return FusionDecision::yes();
  const bool inRegisters = k == OpKind::Add || k == OpKind::Sub || k == OpKind::Mul || k == OpKind::Maximum ||
                           k == OpKind::Minimum || k == OpKind::ReluGrad;
  const Node* rhs = n->numOperands() == 2 ? n->operand(1 - accIndex) : nullptr;
  double c;
  if (inRegisters && (scalarConstant(rhs, &c) || rhs->dims() == n->dims())) return FusionDecision::yes();
  return FusionDecision::no(std::string("a batched matmul's epilogue takes relu, and add, sub, mul, maximum, minimum and "
                                        "relu_grad with a full operand or a constant; not '") + opName(k) + "'" +
                            (rhs ? " with " + shapeOf(rhs) : ""));
}

}  // namespace

FusionDecision epilogueStep(const Node* n, int accIndex, EpilogueStep* step) {
  const Node* acc = n->operand(accIndex);
  if (opInfo(n->kind()).category != Category::Elementwise)
    return FusionDecision::no(std::string("consumer is ") + categoryName(opInfo(n->kind()).category) + ", not elementwise");
  if (n->dims() != acc->dims()) return FusionDecision::no("result " + n->type().str() + " is larger than the matmul's");
  *step = EpilogueStep{};
  step->op = n->kind();
  const DnnlLowering& lowering = opInfo(n->kind()).elementwise.dnnl;
  if (lowering.kind == DnnlLowering::Eltwise) {
    // oneDNN's linear eltwise (neg) becomes constant post-ops: see fused_matmul.cpp.
    if (lowering.algorithm == DnnlAlg::Linear)
      step->linear = true, step->alpha = lowering.alpha, step->beta = lowering.beta;
    return FusionDecision::yes();
  }
  if (lowering.kind != DnnlLowering::Binary)
    return FusionDecision::no(std::string("op '") + opName(n->kind()) + "' has no oneDNN post-op");
  int other = 1 - accIndex;
  const Node* rhs = n->operand(other);
  double c;
  if (scalarConstant(rhs, &c)) {  // a uniform constant: alpha·x + beta
    if (!linearInItsOperands(n->kind()))
      return FusionDecision::no(std::string("a constant operand of '") + opName(n->kind()) +
                                "' has no post-op (a binary post-op reads a region parameter)");
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
  if (!isCommutative(n) && accIndex != 0)
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

FusionDecision microMatmul(const Node* m) {
  // The portable fallback loop runs at a tenth of the vector kernels' speed: slower than oneDNN.
  static const bool vectorKernel = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (!vectorKernel) return FusionDecision::no("this CPU has neither AVX2 nor AVX-512 for mnemo's micro-kernel");
  const Dims& a = m->operand(0)->dims();
  const Dims& c = m->dims();
  const size_t r = c.size();
  if (r != 2 && r != 3) return FusionDecision::no("a rank-" + std::to_string(r) + " matmul");
  // A batched matmul is judged by one of its products (the kernel runs them one after another).
  const int64_t rows = c[r - 2], cols = c[r - 1];
  const int64_t depth = m->attr<bool>("transpose_a") ? a[r - 2] : a[r - 1];
  const std::string shape = (r == 3 ? std::to_string(c[0]) + " x " : "") + std::to_string(rows) + "x" +
                            std::to_string(depth) + "x" + std::to_string(cols);
  // B is streamed once per tile of rows: it must stay in L2, unless one or two tiles cover A.
  if (depth * cols > kMicroMaxWeights && rows > kMicroStreamRows)
    return FusionDecision::no(shape + ": B has more than " + std::to_string(kMicroMaxWeights) +
                              " elements (beyond L2) and is read once per 12 of its " + std::to_string(rows) + " rows");
  if (2 * rows * depth * cols > kMicroMaxFlops)
    return FusionDecision::no(shape + " is more than " + std::to_string(kMicroMaxFlops / 1000000) + " MFLOP");
  if (microTransposedOutput(m)) {
    FusionDecision yes;
    yes.why = shape + " computed transposed (" + std::to_string(cols) + " columns, A stored transposed)";
    return yes;
  }
  if (microDotProducts(m)) {
    FusionDecision yes;
    yes.why = shape + " as " + std::to_string(cols) + " dot products a row";
    return yes;
  }
  // A row of B narrower than a vector wastes lanes: only where the padded product is still tiny.
  if (cols < kMicroVector && 2 * rows * depth * kMicroVector > kMicroMaxNarrowFlops)
    return FusionDecision::no(shape + ": " + std::to_string(cols) + " columns fill a fraction of each vector over a long product");
  FusionDecision yes;
  yes.why = shape;
  return yes;
}

bool microTransposedOutput(int64_t rows, int64_t cols, bool transposeA) {
  return transposeA && cols < kMicroVector && rows >= kMicroVector;
}

bool microDotProducts(int64_t cols, int64_t depth, bool transposeA) {
  return !transposeA && cols <= kMicroDotMaxColumns && depth >= kMicroVector;
}

bool microDotProducts(const Node* m) {
  if (m->kind() != OpKind::MatMul || m->dims().size() != 2 || m->attr<bool>("transpose_a")) return false;
  return microDotProducts(m->dims()[1], m->operand(0)->dims()[1], false);
}

bool microTransposedOutput(const Node* m) {
  if (m->kind() != OpKind::MatMul || m->dims().size() != 2) return false;
  return microTransposedOutput(m->dims()[0], m->dims()[1], m->attr<bool>("transpose_a"));
}

FusionDecision microSecondProduct(const Node* m, const Node** partner) {
  if (m->kind() != OpKind::MatMul || m->dims().size() != 2) return FusionDecision::no("not a rank-2 matmul");
  if (m->attr<bool>("transpose_a")) return FusionDecision::no("its A is stored transposed");
  const int64_t depth = m->operand(0)->dims()[1];
  if (depth > kMicroSecondProductDepth)
    return FusionDecision::no("depth " + std::to_string(depth) + " is more than " + std::to_string(kMicroSecondProductDepth));
  if (m->uses().size() != 1) return FusionDecision::no("it has " + std::to_string(m->uses().size()) + " uses");
  const Use& u = m->uses()[0];
  const Node* add = u.user;
  if (add->kind() != OpKind::Add || add->dims() != m->dims() || add->stage() != m->stage())
    return FusionDecision::no("its use %" + add->name() + " is not an add of its shape and stage");
  const Node* other = add->operand(1 - u.index);
  if (other == m || other->kind() != OpKind::MatMul || other->dims() != m->dims() || other->uses().size() != 1)
    return FusionDecision::no("%" + add->name() + " does not add it to another matmul's only use");
  if (other->attr<bool>("transpose_a") || other->operand(0)->dims()[1] <= depth)
    return FusionDecision::no("%" + other->name() + " is not a deeper product with A stored as it is");
  if (FusionDecision micro = microMatmul(other); !micro) return micro;
  if (microTransposedOutput(other) || microDotProducts(other))
    return FusionDecision::no("%" + other->name() + " is computed transposed or as dot products");
  if (partner) *partner = other;
  FusionDecision yes;
  yes.why = "depth " + std::to_string(depth) + ", added to %" + other->name();
  return yes;
}

FusionDecision microEpilogueStep(const Node* n, int accIndex) {
  const Node* acc = n->operand(accIndex);
  if (opInfo(n->kind()).category != Category::Elementwise)
    return FusionDecision::no(std::string("consumer is ") + categoryName(opInfo(n->kind()).category) + ", not elementwise");
  if (n->dims() != acc->dims()) return FusionDecision::no("result " + n->type().str() + " is larger than the matmul's");
  if (n->numOperands() > 2) return FusionDecision::no(std::string("op '") + opName(n->kind()) + "' has more than two operands");
  FusionDecision loop = loopFusable(n);
  if (!loop) return loop;
  if (acc->dims().size() == 3) return batchedEpilogueStep(n, accIndex);
  if (n->numOperands() == 1) return FusionDecision::yes();
  const Node* rhs = n->operand(1 - accIndex);
  double c;
  if (scalarConstant(rhs, &c)) return FusionDecision::yes();
  const Dims& d = acc->dims();
  const Dims& r = rhs->dims();
  bool perColumn = (r.size() == 1 && r[0] == d.back()) || (r.size() == 2 && r[0] == 1 && r[1] == d.back());
  if (r != d && !perColumn)
    return FusionDecision::no("operand " + shapeOf(rhs) + " is neither full nor per-column (the epilogue reads rows)");
  return FusionDecision::yes();
}

bool loopKernelRuns(OpKind k) { return opInfo(k).elementwise.scalar.span != nullptr; }

FusionDecision loopFusable(const Node* n) {
  const ElementwiseTraits& e = opInfo(n->kind()).elementwise;
  const std::string name = opName(n->kind());
  if (!loopKernelRuns(n->kind())) return FusionDecision::no("the fused loop has no kernel for op '" + name + "'");
  if (e.keepOutOfLoops) return FusionDecision::no(name + " " + e.keepOutOfLoops);
  if (!e.loopVectorises && e.dnnl.kind == DnnlLowering::Eltwise)
    return FusionDecision::no(name + " runs vectorised in oneDNN's eltwise kernel; the fused loop's scalar libm call is slower");
  return FusionDecision::yes();
}

FusionDecision elementwiseProducer(const Node* p, const Dims& dims, Stage stage) {
  if (p->isLeaf()) return FusionDecision::no("producer is a " + std::string(opName(p->kind())) + " (a region parameter)");
  if (opInfo(p->kind()).category != Category::Elementwise)
    return FusionDecision::no(std::string("producer ") + opName(p->kind()) + " is not elementwise (category=" +
                              categoryName(opInfo(p->kind()).category) + ")");
  if (p->stage() != stage)
    return FusionDecision::no(std::string("producer is in stage ") + stageName(p->stage()) + ", the region in " +
                              stageName(stage));
  if (p->dims() != dims)
    return FusionDecision::no("producer has shape " + dimsStr(p->dims()) + ", the region iterates over " + dimsStr(dims));
  return loopFusable(p);
}

}  // namespace mnemo
