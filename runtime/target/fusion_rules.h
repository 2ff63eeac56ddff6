// Legality rules for fusion, shared by the fusion passes (which decide) and the runtime (which
// maps what they built onto oneDNN post-ops or a loop). Every refusal carries its reason, which
// `--explain-fusion` prints into the dump.
#pragma once

#include <string>

#include "graph/node.h"

namespace mnemo {

/// A yes, or a no with the reason.
struct FusionDecision {
  bool ok = true;
  std::string why;
  static FusionDecision yes() { return {}; }
  static FusionDecision no(std::string reason) { return {false, std::move(reason)}; }
  explicit operator bool() const { return ok; }
};

/// How one op applies to a matmul's result as a oneDNN post-op.
struct EpilogueStep {
  enum Kind { Eltwise, Binary } kind = Eltwise;
  OpKind op = OpKind::Relu;
  /// For Eltwise: the op as oneDNN's eltwise (relu, tanh, ...) or, for an op with a scalar
  /// constant, eltwise_linear alpha·x + beta (neg is linear too).
  bool linear = false;
  float alpha = 1.f, beta = 0.f;
  /// For Binary: the index of the op's operand that is not the running result.
  int otherIndex = -1;
};

/// oneDNN (2.6) refuses a primitive with more post-ops than this ("could not append a binary
/// post-op"), so fuse-matmul-epilogue ends a chain before it needs more.
constexpr int kMaxPostOps = 32;
/// The post-ops \p step takes: one, or two for alpha·x + beta with both parts.
int postOpCount(const EpilogueStep& step);

/// Can \p n, whose operand \p accIndex is the running matmul result, be applied as a post-op?
/// Binary operands must have the result's shape, a per-column [N]/[1,N] shape or one element
/// (oneDNN 2.6 runs per-row broadcasts as slow reference code); sub and div need the running
/// result on the left unless the other side is a constant.
FusionDecision epilogueStep(const Node* n, int accIndex, EpilogueStep* step);

/// The value of a matmul region's "kernel" attribute when it runs on mnemo's micro-kernel
/// (runtime/kernels/micro_matmul.cpp) rather than on a oneDNN matmul with post-ops.
constexpr const char* kMicroKernel = "micro";
/// Is matmul \p m small enough for mnemo's micro-kernel? Below about 4 MFLOP a oneDNN call's
/// fixed cost (1–3 µs, more with post-ops) is a large part of the product's own time, and a
/// register-blocked kernel that reads B in place runs near peak while B (K·N floats) stays in
/// L1/L2 (however many rows A has: a 1600×2×64 input projection is one). Larger products keep
/// oneDNN's packed, threaded gemm, and so do long products with fewer columns than a vector
/// holds, unless microTransposedOutput takes them. A batched (rank-3) matmul is judged by one of
/// its products, which the kernel runs one after another. Only on a CPU with AVX2 or AVX-512 (the
/// portable loop is slower than oneDNN). A yes names the shape M×K×N (G x M×K×N for a batch) in why.
FusionDecision microMatmul(const Node* m);
/// Does the micro-kernel compute matmul \p m the other way round, Cᵀ = op(B)ᵀ · Aᵀ, and then
/// transpose the small result? For a product with fewer columns than a vector holds whose A is
/// stored transposed ([K, M] row-major, a weight gradient hᵀ·g): Aᵀ is then row-major as the
/// kernel reads B, and the rows of the swapped product are full vectors.
bool microTransposedOutput(const Node* m);
/// The same for a product with \p rows × \p cols result.
bool microTransposedOutput(int64_t rows, int64_t cols, bool transposeA);
/// Does the micro-kernel compute matmul \p m as dot products (gemmDot), a row of A against a
/// row of Bᵀ per element? For a rank-2 product with at most 4 columns, A stored as it is and a
/// depth of at least 16 (logits h·W_ro over a few classes): the tiles would fill 3 of a
/// vector's 16 lanes, and oneDNN takes 17–18 µs for the notebook's 1600×64×3.
bool microDotProducts(const Node* m);
/// The same for a product of \p cols columns and depth \p depth.
bool microDotProducts(int64_t cols, int64_t depth, bool transposeA);

/// The most depth (K) a product may have to be folded into another's micro-kernel step.
constexpr int64_t kMicroSecondProductDepth = 8;
/// Is matmul \p m a second product that the micro-kernel adds into the tile of the matmul it is
/// added to (C = A·B + A₂·B₂, then the epilogue), instead of a product of its own? For a
/// product of depth at most kMicroSecondProductDepth (an input projection x_t·W with a few
/// inputs, a readout gradient g_t·Wᵀ with a few classes) that is added, as its only use, to a
/// deeper rank-2 product of the same shape that runs on the micro-kernel (untransposed output)
/// and is used only there. Per time step this costs K₂ more FMAs per row of the tile; batched
/// over time (time-batch, which leaves such products per step) it would write and read back a
/// [T·B, N] block: 400 KB and 11–14 µs each at the notebook's sizes. \p partner, if given, is
/// set to that deeper matmul.
FusionDecision microSecondProduct(const Node* m, const Node** partner = nullptr);

/// Can \p n, whose operand \p accIndex is the running result, join a micro-kernel matmul's
/// epilogue? Any elementwise op whose span form vectorises (loopFusable), with the running value
/// on either side; its other operand must have the result's shape, a per-column shape or be a
/// uniform constant. A batched matmul's epilogue runs in registers only: relu, and add, sub, mul,
/// maximum, minimum and relu_grad with a full operand or a constant.
FusionDecision microEpilogueStep(const Node* n, int accIndex);

/// Does the fused loop kernel (runtime/kernels/fused_loop.cpp) implement op \p k? An
/// elementwise op added to ops.def stays out of loop regions until it does.
bool loopKernelRuns(OpKind k);
/// Can \p n run inside a fused elementwise loop? Transcendental ops (tanh, sigmoid, exp, log)
/// cannot: the loop calls scalar libm functions, while oneDNN's eltwise kernels (or a matmul's
/// eltwise post-op) are vectorised, and measured 4–14× faster.
FusionDecision loopFusable(const Node* n);
/// Can producer \p p join the elementwise region whose iteration shape is \p dims and whose
/// stage is \p stage? (Use checks are the pass's: they need the region's membership.)
FusionDecision elementwiseProducer(const Node* p, const Dims& dims, Stage stage);

}  // namespace mnemo
