// matmul {transpose_a, transpose_b}: C = op(A) · op(B) on f32 tensors, where op transposes the
// last two axes of its operand when the flag is set. Rank 2 is one product [M,K]·[K,N] → [M,N];
// rank 3 is a batch of them, [G,M,K]·[G,K,N] → [G,M,N] (both operands carry the same leading
// batch axis: an ensemble's G members, each with its own weights). Shape rule, reference
// evaluation and gradient rule.
#include "ops/builder.h"
#include "support/error.h"
#include "ops/op_table.h"
#include "ops/ref_tensor.h"

namespace mnemo {

namespace {

/// The sizes of one product of a (possibly batched) matmul, and how many products there are.
struct MatDims {
  int64_t batch, m, k, n;
};

MatDims matDims(const Dims& a, const Dims& b, bool ta, bool tb) {
  const size_t r = a.size();
  int64_t m = ta ? a[r - 1] : a[r - 2], ka = ta ? a[r - 2] : a[r - 1];
  int64_t kb = tb ? b[r - 1] : b[r - 2], n = tb ? b[r - 2] : b[r - 1];
  if (ka != kb)
    MNEMO_FAIL("inner dimensions differ: " << ka << " vs " << kb << (ta || tb ? " (after transposes)" : ""));
  return {r == 3 ? a[0] : 1, m, ka, n};
}

TensorType matmulType(const std::vector<TensorType>& ins, const OpAttrs& attrs) {
  const TensorType& a = ins[0];
  const TensorType& b = ins[1];
  for (const TensorType& t : ins) {
    if (t.dtype != DType::F32 || t.rank() < 2 || t.rank() > 3)
      MNEMO_FAIL("operands must be 2-D f32 matrices or 3-D f32 batches of them, got " << a.str() << " and " << b.str());
  }
  if (a.rank() != b.rank())
    MNEMO_FAIL("operands must have the same rank (a batched matmul takes [G,M,K] and [G,K,N]), got " << a.str()
                                                                                                    << " and " << b.str());
  if (a.rank() == 3 && a.dims[0] != b.dims[0])
    MNEMO_FAIL("batch dimensions differ: " << a.dims[0] << " vs " << b.dims[0] << " (" << a.str() << " and " << b.str() << ")");
  MatDims d = matDims(a.dims, b.dims, attrs.get<bool>("transpose_a"), attrs.get<bool>("transpose_b"));
  return a.rank() == 3 ? TensorType::f32({d.batch, d.m, d.n}) : TensorType::f32({d.m, d.n});
}

void evalMatmul(const Node& n, const std::vector<RefTensor*>& ins, RefTensor& out) {
  bool ta = n.attr<bool>("transpose_a"), tb = n.attr<bool>("transpose_b");
  const RefTensor& a = *ins[0];
  const RefTensor& b = *ins[1];
  MatDims d = matDims(a.type.dims, b.type.dims, ta, tb);
  int64_t lda = a.type.dims.back(), ldb = b.type.dims.back();
  for (int64_t g = 0; g < d.batch; ++g) {
    const int64_t aBase = g * d.m * d.k, bBase = g * d.k * d.n, cBase = g * d.m * d.n;
    for (int64_t i = 0; i < d.m; ++i)
      for (int64_t j = 0; j < d.n; ++j) {
        double s = 0;
        for (int64_t p = 0; p < d.k; ++p) {
          double x = ta ? a[aBase + p * lda + i] : a[aBase + i * lda + p];
          double y = tb ? b[bBase + j * ldb + p] : b[bBase + p * ldb + j];
          s += x * y;
        }
        out[cBase + i * d.n + j] = s;
      }
  }
}

// With C = op(A)·op(B) and G = dL/dC: dL/dop(A) = G·op(B)ᵀ and dL/dop(B) = op(A)ᵀ·G; a
// transposed operand takes the transpose of that, which the flags express without copies. The
// same holds product by product in a batch (the flags transpose the last two axes).
std::vector<Node*> vjpMatmul(Builder& b, Node* n, Node* g) {
  bool ta = n->attr<bool>("transpose_a"), tb = n->attr<bool>("transpose_b");
  Node* A = n->operand(0);
  Node* B = n->operand(1);
  Node* dA = ta ? b.matmul(B, g, tb, true) : b.matmul(g, B, false, !tb);
  Node* dB = tb ? b.matmul(g, A, true, ta) : b.matmul(A, g, !ta, false);
  return {dA, dB};
}

}  // namespace

void describeMatMulOps(OpInfo* t) {
  define(t, OpKind::MatMul,
         {defaultedAttr("transpose_a", false), defaultedAttr("transpose_b", false)},
         matmulType, evalMatmul, vjpMatmul);
}

}  // namespace mnemo
