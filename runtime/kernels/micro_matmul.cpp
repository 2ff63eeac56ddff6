// A fused region led by a small matmul, run on mnemo's micro-kernel (micro_gemm.h) instead of a
// oneDNN call: the product is written to the result, then each of the region's epilogue ops runs
// over the whole [M, N] block while it is still in L1, as one call of the span form of its op row
// (the loops the fused elementwise kernel runs); a per-column operand is first repeated down the
// rows, so no op is called row by row. Because the epilogue is mnemo's own loop, it takes
// any elementwise op with a vectorising span (relu_grad too, which has no oneDNN post-op), on
// either side of the running value. A B operand used transposed is copied to row-major [K, N]
// first. A narrow product with A stored transposed (microTransposedOutput) is computed as
// Cᵀ = op(B)ᵀ·Aᵀ into a scratch block and transposed into the result, its epilogue as spans.
// A product with a few columns (microDotProducts: the logits) runs as dot products over rows of
// A and of Bᵀ, its epilogue as spans.
// A batched matmul [G,M,K]·[G,K,N] runs its G products one after another, its epilogue in
// registers only. A region whose first step adds a shallow second product (microSecondProduct:
// x_t·W_ir beside h·W_rr) has the kernel accumulate both products in the same tile.
// fuse-matmul-epilogue chose this kernel (the rules are microMatmul and
// microEpilogueStep in runtime/target/fusion_rules.h) and records why in --explain-fusion.
#include <cstring>

#include "graph/graph.h"
#include "ops/match.h"
#include "ops/op_table.h"
#include "runtime/kernels/kernel.h"
#include "runtime/kernels/micro_gemm.h"
#include "runtime/target/fusion_rules.h"
#include "support/error.h"

namespace mnemo {

namespace {

/// Where an epilogue op reads one operand: every source is a whole [M, N] block, so each op is
/// one span over M·N elements.
struct BlockSource {
  enum Kind { Result, Scratch, Full, Tiled, None } kind = None;
  const float* ptr = nullptr;  // Full: the parameter's [M, N] data
  int slot = -1;               // Scratch: its buffer; Tiled: its tile
};

struct EpilogueOp {
  SpanFn span;
  int dst;  // scratch buffer, or -1 for the result
  BlockSource a, b;
};

/// A per-column operand (a bias, or a uniform constant's row) repeated down the M rows. A
/// parameter's row is re-tiled on every run (it may change between runs); a constant's once.
struct Tile {
  const float* row = nullptr;  // null: filled once at construction
  std::vector<float> block;
};

class MicroMatmulKernel : public Kernel {
 public:
  /// \p g is the product C = op(A)·op(B) of the node; with \p swapped the kernel runs that
  /// product instead (Cᵀ into its own scratch) and transposes it into C.
  /// A second product's B stored transposed ([N, K2]) is \p b2Transposed, packed on every run.
  /// With \p dot the product runs as dot products (gemmDot): \p g.b is then Bᵀ, or, when
  /// \p dotPackFrom is given, B stored [K, N], turned into Bᵀ on every run.
  MicroMatmulKernel(GemmIsa isa, GemmOperands g, const float* bTransposed, const float* b2Transposed,
                    std::vector<VectorEpilogueOp> inRegisters, std::vector<EpilogueOp> ops, int scratchBlocks,
                    std::vector<Tile> tiles, const GemmOperands* swapped = nullptr, int64_t batch = 1,
                    bool dot = false, const float* dotPackFrom = nullptr)
      : isa_(isa), g_(g), result_(g.c), m_(g.m), n_(g.n), batch_(batch), dot_(dot), dotPackFrom_(dotPackFrom),
        bTransposed_(bTransposed), b2Transposed_(b2Transposed),
        inRegisters_(std::move(inRegisters)), shifted_(inRegisters_), ops_(std::move(ops)),
        scratch_(static_cast<size_t>(scratchBlocks * g.m * g.n)), tiles_(std::move(tiles)) {
    MNEMO_CHECK(batch_ == 1 || (ops_.empty() && !swapped),
                "a batched micro-kernel region runs its epilogue in registers only, untransposed");
    MNEMO_CHECK(g.k2 == 0 || (batch_ == 1 && !swapped), "a second product needs a single, untransposed product");
    MNEMO_CHECK(!dot_ || (batch_ == 1 && !swapped && !bTransposed_ && g.k2 == 0 && inRegisters_.empty()),
                "dot products take a single product with its epilogue as spans");
    if (dotPackFrom_) {
      packed_.resize(static_cast<size_t>(g_.k * g_.n));
      g_.b = packed_.data(), g_.ldb = g_.k;
    }
    if (swapped) {
      g_ = *swapped;
      transposed_.resize(static_cast<size_t>(m_ * n_));
      g_.c = transposed_.data(), g_.ldc = m_;
    }
    g_.epilogue = inRegisters_.data(), g_.epilogueOps = static_cast<int>(inRegisters_.size());
    if (bTransposed_) {
      packed_.resize(static_cast<size_t>(g_.k * g_.n));
      g_.b = packed_.data(), g_.ldb = g_.n;
    }
    if (b2Transposed_) {
      packed2_.resize(static_cast<size_t>(g_.k2 * g_.n));
      g_.b2 = packed2_.data(), g_.ldb2 = g_.n;
    }
  }

  std::string impl() const override {
    return std::string("loop:micro-gemm-") + gemmIsaName(isa_) + (bTransposed_ ? "+pack" : "") + (dot_ ? "+dot" : "") +
           (g_.k2 > 0 ? "+2nd product" : "") +
           (transposed_.empty() ? "" : "+transposed") + "+" +
           (inRegisters_.empty() ? std::to_string(ops_.size()) + "-op span epilogue"
                                 : std::to_string(inRegisters_.size()) + "-op register epilogue");
  }

  void run() override {
    if (b2Transposed_)  // stored [N, K2] → row-major [K2, N]
      for (int64_t q = 0; q < g_.k2; ++q)
        for (int64_t j = 0; j < n_; ++j) packed2_[static_cast<size_t>(q * n_ + j)] = b2Transposed_[j * g_.k2 + q];
    if (dot_) {
      if (dotPackFrom_)  // stored [K, N] → Bᵀ [N, K]
        for (int64_t p = 0; p < g_.k; ++p)
          for (int64_t j = 0; j < n_; ++j) packed_[static_cast<size_t>(j * g_.k + p)] = dotPackFrom_[p * n_ + j];
      gemmDot(isa_, g_);
    } else {
      for (int64_t i = 0; i < batch_; ++i) runProduct(i);
    }
    if (!transposed_.empty())  // Cᵀ [N, M] → C [M, N]
      for (int64_t i = 0; i < m_; ++i)
        for (int64_t j = 0; j < n_; ++j) result_[i * n_ + j] = transposed_[static_cast<size_t>(j * m_ + i)];
    if (ops_.empty()) return;
    const size_t n = static_cast<size_t>(n_), count = static_cast<size_t>(m_) * n;
    for (Tile& t : tiles_)
      if (t.row)
        for (size_t at = 0; at < count; at += n) std::memcpy(t.block.data() + at, t.row, n * sizeof(float));
    for (const EpilogueOp& op : ops_) {
      float* d = op.dst < 0 ? result_ : scratch_.data() + static_cast<size_t>(op.dst) * count;
      op.span(d, read(op.a), op.b.kind == BlockSource::None ? nullptr : read(op.b), count);
    }
  }

 private:
  /// Product \p i of the batch: A, B, C and the full epilogue operands advance by one product
  /// each (product 0 is the operands as given).
  void runProduct(int64_t i) {
    const int64_t m = g_.m, n = g_.n, k = g_.k;
    GemmOperands g = g_;
    if (i > 0) {
      g.a += i * m * k, g.c += i * m * n;
      if (!bTransposed_) g.b += i * k * n;
      for (size_t e = 0; e < shifted_.size(); ++e)
        if (inRegisters_[e].operand == VectorEpilogueOp::Full) shifted_[e].ptr = inRegisters_[e].ptr + i * m * n;
      g.epilogue = shifted_.data();
    }
    if (bTransposed_) {  // stored [N, K] → row-major [K, N]
      const float* from = bTransposed_ + i * k * n;
      for (int64_t p = 0; p < k; ++p)
        for (int64_t j = 0; j < n; ++j) packed_[static_cast<size_t>(p * n + j)] = from[j * k + p];
    }
    gemm(isa_, g);
  }

  const float* read(const BlockSource& s) const {
    switch (s.kind) {
      case BlockSource::Result: return result_;
      case BlockSource::Scratch: return scratch_.data() + static_cast<size_t>(s.slot) * static_cast<size_t>(m_ * n_);
      case BlockSource::Tiled: return tiles_[static_cast<size_t>(s.slot)].block.data();
      default: return s.ptr;
    }
  }

  GemmIsa isa_;
  GemmOperands g_;  // the product as run (swapped for a transposed output)
  float* result_;   // C [m_, n_]
  int64_t m_, n_;
  int64_t batch_;  // products of a batched matmul, run one after another
  bool dot_;
  const float* dotPackFrom_;
  std::vector<float> transposed_;  // Cᵀ, for a transposed output
  const float* bTransposed_;
  const float* b2Transposed_;
  std::vector<VectorEpilogueOp> inRegisters_;
  std::vector<VectorEpilogueOp> shifted_;  // inRegisters_ with full operands at the running product
  std::vector<float> packed_, packed2_;
  std::vector<EpilogueOp> ops_;
  std::vector<float> scratch_;
  std::vector<Tile> tiles_;
};

/// \p b (running value at operand \p accIndex) as a register epilogue step, if it is one.
bool registerStep(const Node* b, int accIndex, const std::unordered_map<const Node*, const Node*>& outer,
                  const GemmOperands& g, KernelEnv& env, VectorEpilogueOp* e) {
  using V = VectorEpilogueOp;
  switch (b->kind()) {
    case OpKind::Add: e->op = V::Add; break;
    case OpKind::Sub: e->op = V::Sub; break;
    case OpKind::Mul: e->op = V::Mul; break;
    case OpKind::Maximum: e->op = V::Max; break;
    case OpKind::Minimum: e->op = V::Min; break;
    case OpKind::Relu: e->op = V::Relu; return true;
    case OpKind::ReluGrad: e->op = V::ReluGrad; break;
    default: return false;
  }
  e->resultFirst = accIndex == 0;
  const Node* other = b->operand(1 - accIndex);
  double c;
  if (scalarConstant(other, &c)) {
    e->operand = V::Constant, e->value = static_cast<float>(c);
    return true;
  }
  auto it = outer.find(other);
  if (it == outer.end()) return false;
  const Dims& d = it->second->dims();
  if (d == b->dims()) e->operand = V::Full, e->ld = g.n;  // [M, N], or one product's [M, N] of a batch
  else if (d == Dims{g.n} || d == Dims{1, g.n}) e->operand = V::Column;
  else return false;
  e->ptr = env.f32(it->second);
  return true;
}

/// The epilogue of region \p n as spans over the whole block: one EpilogueOp per step of
/// \p steps, full operands read in place, per-column and constant ones tiled once.
void spanEpilogue(const Node& n, const std::vector<const Node*>& steps, const Node* mm,
                  const std::unordered_map<const Node*, const Node*>& outer, const GemmOperands& g,
                  KernelEnv& env, std::vector<EpilogueOp>* ops, std::vector<Tile>* tiles, int* scratchBlocks) {
  std::unordered_map<const Node*, BlockSource> produced;
  produced[mm] = BlockSource{BlockSource::Result};
  const size_t count = static_cast<size_t>(g.m * g.n);
  auto tiled = [&](const float* row, float value) {
    Tile t;
    t.row = row;
    t.block.assign(count, value);
    tiles->push_back(std::move(t));
    return BlockSource{BlockSource::Tiled, nullptr, static_cast<int>(tiles->size()) - 1};
  };
  auto sourceOf = [&](const Node* v) -> BlockSource {
    if (produced.count(v)) return produced.at(v);
    double c;
    if (scalarConstant(v, &c)) return tiled(nullptr, static_cast<float>(c));
    MNEMO_CHECK(outer.count(v), "region %" << n.name() << ": operand %" << v->name() << " is not a parameter");
    const Node* p = outer.at(v);
    const Dims& d = p->dims();
    if (d == Dims{g.m, g.n}) return BlockSource{BlockSource::Full, env.f32(p)};
    if (d == Dims{g.n} || d == Dims{1, g.n}) return tiled(env.f32(p), 0.f);
    MNEMO_FAIL("region %" << n.name() << ": operand %" << p->name() << " " << p->type().str()
                          << " is neither full nor per-column (microEpilogueStep refuses it)");
  };
  for (const Node* b : steps) {
    const bool last = b == steps.back();
    EpilogueOp op{opInfo(b->kind()).elementwise.scalar.span, last ? -1 : (*scratchBlocks)++, sourceOf(b->operand(0)),
                  BlockSource{}};
    if (b->numOperands() > 1) op.b = sourceOf(b->operand(1));
    produced[b] = op.dst < 0 ? BlockSource{BlockSource::Result} : BlockSource{BlockSource::Scratch, nullptr, op.dst};
    ops->push_back(op);
  }
}

}  // namespace

bool isMicroMatmulRegion(const Node& n) {
  return n.hasAttr("kernel") && n.attr<std::string>("kernel") == kMicroKernel;
}

std::unique_ptr<Kernel> makeMicroMatmulKernel(const Node& n, KernelEnv& env) {
  const Graph& body = *n.body();
  std::unordered_map<const Node*, const Node*> outer;  // body input → region operand
  int param = 0;
  for (const Node* b : body.nodes())
    if (b->kind() == OpKind::Input) outer[b] = n.operand(param++);
  const Node* mm = nullptr;
  const Node* second = nullptr;  // a second product, added by the chain's first step
  for (const Node* b : body.nodes()) {
    if (b->isLeaf()) continue;
    if (!mm) mm = b;
    else if (b->kind() == OpKind::MatMul) second = b;
  }
  MNEMO_CHECK(mm && mm->kind() == OpKind::MatMul, "region %" << n.name() << " does not start with a matmul");
  FusionDecision fits = microMatmul(mm);
  MNEMO_CHECK(fits.ok, "region %" << n.name() << " cannot run on the micro-kernel: " << fits.why);
  const Node* a = outer.at(mm->operand(0));
  const Node* w = outer.at(mm->operand(1));
  const bool ta = mm->attr<bool>("transpose_a"), tb = mm->attr<bool>("transpose_b");
  GemmOperands g;
  const size_t r = mm->dims().size();  // 2, or 3 for a batch of products
  const int64_t batch = r == 3 ? mm->dims()[0] : 1;
  g.m = mm->dims()[r - 2], g.n = mm->dims()[r - 1];
  g.k = ta ? a->dims()[r - 2] : a->dims()[r - 1];
  g.a = env.f32(a);
  g.aRow = ta ? 1 : g.k, g.aCol = ta ? g.m : 1;
  g.b = env.f32(w), g.ldb = g.n;
  g.c = env.f32(&n), g.ldc = g.n;

  // The epilogue: each op after the matmul reads the running value and at most one other
  // operand, a region parameter or a uniform constant of the body.
  std::vector<const Node*> steps;
  const Node* acc = mm;
  for (const Node* b : body.nodes()) {
    if (b->isLeaf() || b == mm || b == second) continue;
    int accIndex = b->operand(0) == acc ? 0 : 1;
    MNEMO_CHECK(b->operand(accIndex) == acc, "region %" << n.name() << " is not a chain");
    if (second && acc == mm) {  // the first step: C = A·B + A₂·B₂ in the tile
      MNEMO_CHECK(b->kind() == OpKind::Add && b->operand(1 - accIndex) == second &&
                      !second->attr<bool>("transpose_a") && second->dims() == mm->dims(),
                  "region %" << n.name() << ": its second matmul must be added to the first, as its first step");
      acc = b;
      continue;
    }
    FusionDecision d = microEpilogueStep(b, accIndex);
    MNEMO_CHECK(d.ok, "region %" << n.name() << ": " << d.why);
    steps.push_back(b);
    acc = b;
  }
  MNEMO_CHECK(acc == body.outputs()[0], "region %" << n.name() << " does not end with its result");
  // The common steps (add, sub, mul, max, min with a full, per-column or constant operand; relu;
  // relu_grad) run on the tiles in registers; a chain with any other op runs as spans.
  // Cᵀ = op(B)ᵀ·Aᵀ for a narrow product with A stored [K, M]: A'(j, p) = op(B)(p, j), B' = A.
  const bool transposedOutput = batch == 1 && !second && microTransposedOutput(mm);
  const bool dot = batch == 1 && !second && !transposedOutput && microDotProducts(mm);
  if (dot) g.ldb = g.k;  // g.b becomes Bᵀ [N, K]: the stored B when it is used transposed, else packed per run
  const float* b2Transposed = nullptr;
  const Node* sum = mm;  // the node whose value the tile holds before the epilogue
  if (second) {
    MNEMO_CHECK(batch == 1, "region %" << n.name() << ": a batched matmul takes no second product");
    const Node* a2 = outer.at(second->operand(0));
    const Node* w2 = outer.at(second->operand(1));
    g.k2 = a2->dims()[1];
    g.a2 = env.f32(a2), g.a2Row = g.k2, g.a2Col = 1;
    g.b2 = env.f32(w2), g.ldb2 = g.n;
    if (second->attr<bool>("transpose_b")) b2Transposed = env.f32(w2);
    sum = second->uses()[0].user;
  }
  GemmOperands swapped;
  if (transposedOutput) {
    swapped.m = g.n, swapped.n = g.m, swapped.k = g.k;
    swapped.a = env.f32(w);
    swapped.aRow = tb ? g.k : 1, swapped.aCol = tb ? 1 : g.n;
    swapped.b = g.a, swapped.ldb = g.m;
  }
  std::vector<VectorEpilogueOp> inRegisters;
  acc = sum;
  for (const Node* b : steps) {
    if (transposedOutput || dot) break;
    VectorEpilogueOp e;
    if (!registerStep(b, b->operand(0) == acc ? 0 : 1, outer, g, env, &e)) {
      inRegisters.clear();
      break;
    }
    inRegisters.push_back(e);
    acc = b;
  }
  std::vector<EpilogueOp> ops;
  std::vector<Tile> tiles;
  int scratchBlocks = 0;
  if (inRegisters.empty() && !steps.empty())
    spanEpilogue(n, steps, sum, outer, g, env, &ops, &tiles, &scratchBlocks);
  auto k = std::make_unique<MicroMatmulKernel>(bestGemmIsa(), g, tb && !transposedOutput && !dot ? env.f32(w) : nullptr,
                                               b2Transposed, std::move(inRegisters), std::move(ops), scratchBlocks, std::move(tiles),
                                               transposedOutput ? &swapped : nullptr, batch, dot,
                                               dot && !tb ? env.f32(w) : nullptr);
  k->node = &n;
  return k;
}

}  // namespace mnemo
