// matmul {transpose_a, transpose_b}: C = op(A) · op(B) on 2-D f32 tensors, where op transposes
// its operand when the flag is set. Shape rule, reference evaluation and gradient rule.
#include "ops/builder.h"
#include "support/error.h"
#include "ops/op_table.h"
#include "ops/ref_tensor.h"

namespace mnemo {

namespace {

struct MatDims {
  int64_t m, k, n;
};

MatDims matDims(const Dims& a, const Dims& b, bool ta, bool tb) {
  int64_t m = ta ? a[1] : a[0], ka = ta ? a[0] : a[1];
  int64_t kb = tb ? b[1] : b[0], n = tb ? b[0] : b[1];
  if (ka != kb)
    MNEMO_FAIL("inner dimensions differ: " << ka << " vs " << kb << (ta || tb ? " (after transposes)" : ""));
  return {m, ka, n};
}

TensorType matmulType(const std::vector<TensorType>& ins, const Attrs& attrs) {
  for (const TensorType& t : ins) {
    if (t.dtype != DType::F32 || t.rank() != 2)
      MNEMO_FAIL("operands must be 2-D f32 matrices, got " << ins[0].str() << " and " << ins[1].str());
  }
  MatDims d = matDims(ins[0].dims, ins[1].dims, attrs.getBool("transpose_a"), attrs.getBool("transpose_b"));
  return TensorType::f32({d.m, d.n});
}

void evalMatmul(const Node& n, const std::vector<RefTensor*>& ins, RefTensor& out) {
  bool ta = n.attrs().getBool("transpose_a"), tb = n.attrs().getBool("transpose_b");
  const RefTensor& a = *ins[0];
  const RefTensor& b = *ins[1];
  MatDims d = matDims(a.type.dims, b.type.dims, ta, tb);
  int64_t lda = a.type.dims[1], ldb = b.type.dims[1];
  for (int64_t i = 0; i < d.m; ++i)
    for (int64_t j = 0; j < d.n; ++j) {
      double s = 0;
      for (int64_t p = 0; p < d.k; ++p) {
        double x = ta ? a[p * lda + i] : a[i * lda + p];
        double y = tb ? b[j * ldb + p] : b[p * ldb + j];
        s += x * y;
      }
      out[i * d.n + j] = s;
    }
}

// With C = op(A)·op(B) and G = dL/dC: dL/dop(A) = G·op(B)ᵀ and dL/dop(B) = op(A)ᵀ·G; a
// transposed operand takes the transpose of that, which the flags express without copies.
std::vector<Node*> vjpMatmul(Builder& b, Node* n, Node* g) {
  bool ta = n->attrs().getBool("transpose_a"), tb = n->attrs().getBool("transpose_b");
  Node* A = n->operand(0);
  Node* B = n->operand(1);
  Node* dA = ta ? b.matmul(B, g, tb, true) : b.matmul(g, B, false, !tb);
  Node* dB = tb ? b.matmul(g, A, true, ta) : b.matmul(A, g, !ta, false);
  return {dA, dB};
}

}  // namespace

void describeMatMulOps(OpInfo* t) {
  define(t, OpKind::MatMul,
         {{"transpose_a", AttrKind::Bool, false}, {"transpose_b", AttrKind::Bool, false}},
         matmulType, evalMatmul, vjpMatmul);
}

}  // namespace mnemo
