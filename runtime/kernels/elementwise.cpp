// Elementwise kernels. add/sub/mul/div run on oneDNN's binary primitive when the first operand
// has the result's full shape (oneDNN broadcasts only its second source fast; add and mul are
// swapped to get there). Unary ops run on oneDNN's eltwise primitive. What remains (a broadcast
// first operand of sub/div, two broadcast operands) is a loop over precomputed index tables:
// oneDNN 2.6 falls back to its slow reference code when src0 is the broadcast operand
// (../shared/design/ONEDNN-NOTES.md). relu_grad is a loop too (see below), and so are the
// comparisons and where: they are rare (masks, gates) and a loop over the index tables needs no
// primitive per broadcast pattern.
#include <cmath>

#include "graph/error.h"
#include "ops/shape_util.h"
#include "runtime/kernel.h"

namespace mnemo {

namespace {
using dnnl::algorithm;
using dnnl::memory;

/// \p dims padded with leading 1s to \p rank (oneDNN wants equal ranks for broadcasting).
Dims padTo(const Dims& dims, size_t rank) {
  Dims out(rank - dims.size(), 1);
  out.insert(out.end(), dims.begin(), dims.end());
  return out;
}

bool isArithmetic(OpKind k) { return k == OpKind::Add || k == OpKind::Sub || k == OpKind::Mul || k == OpKind::Div; }

std::unique_ptr<Kernel> finish(std::unique_ptr<Kernel> k, const Node& n) {
  k->node = &n;
  return k;
}

std::unique_ptr<Kernel> binaryLoop(const Node& n, KernelEnv& env) {
  const float* a = env.f32(n.operand(0));
  const float* b = env.f32(n.operand(1));
  float* out = env.f32(&n);
  auto ia = std::make_shared<std::vector<size_t>>(broadcastIndexMap(n.dims(), n.operand(0)->dims()));
  auto ib = std::make_shared<std::vector<size_t>>(broadcastIndexMap(n.dims(), n.operand(1)->dims()));
  size_t count = ia->size();
  std::function<void()> body;
  switch (n.kind()) {
    case OpKind::Add: body = [=] { for (size_t i = 0; i < count; ++i) out[i] = a[(*ia)[i]] + b[(*ib)[i]]; }; break;
    case OpKind::Sub: body = [=] { for (size_t i = 0; i < count; ++i) out[i] = a[(*ia)[i]] - b[(*ib)[i]]; }; break;
    case OpKind::Mul: body = [=] { for (size_t i = 0; i < count; ++i) out[i] = a[(*ia)[i]] * b[(*ib)[i]]; }; break;
    case OpKind::Div: body = [=] { for (size_t i = 0; i < count; ++i) out[i] = a[(*ia)[i]] / b[(*ib)[i]]; }; break;
    case OpKind::Less: body = [=] { for (size_t i = 0; i < count; ++i) out[i] = a[(*ia)[i]] < b[(*ib)[i]] ? 1.f : 0.f; }; break;
    case OpKind::LessEqual: body = [=] { for (size_t i = 0; i < count; ++i) out[i] = a[(*ia)[i]] <= b[(*ib)[i]] ? 1.f : 0.f; }; break;
    case OpKind::Greater: body = [=] { for (size_t i = 0; i < count; ++i) out[i] = a[(*ia)[i]] > b[(*ib)[i]] ? 1.f : 0.f; }; break;
    case OpKind::GreaterEqual: body = [=] { for (size_t i = 0; i < count; ++i) out[i] = a[(*ia)[i]] >= b[(*ib)[i]] ? 1.f : 0.f; }; break;
    case OpKind::Equal: body = [=] { for (size_t i = 0; i < count; ++i) out[i] = a[(*ia)[i]] == b[(*ib)[i]] ? 1.f : 0.f; }; break;
    default: MNEMO_CHECK(false, "binaryLoop on " << opName(n.kind()));
  }
  return finish(std::make_unique<LoopKernel>(isArithmetic(n.kind()) ? "broadcast-binary" : opName(n.kind()), body), n);
}

std::unique_ptr<Kernel> whereLoop(const Node& n, KernelEnv& env) {
  const float* c = env.f32(n.operand(0));
  const float* a = env.f32(n.operand(1));
  const float* b = env.f32(n.operand(2));
  float* out = env.f32(&n);
  auto ic = std::make_shared<std::vector<size_t>>(broadcastIndexMap(n.dims(), n.operand(0)->dims()));
  auto ia = std::make_shared<std::vector<size_t>>(broadcastIndexMap(n.dims(), n.operand(1)->dims()));
  auto ib = std::make_shared<std::vector<size_t>>(broadcastIndexMap(n.dims(), n.operand(2)->dims()));
  size_t count = ic->size();
  return finish(std::make_unique<LoopKernel>("where", [=] {
    for (size_t i = 0; i < count; ++i) out[i] = c[(*ic)[i]] != 0.f ? a[(*ia)[i]] : b[(*ib)[i]];
  }), n);
}

}  // namespace

std::unique_ptr<Kernel> makeBinaryKernel(const Node& n, KernelEnv& env) {
  if (n.kind() == OpKind::Where) return whereLoop(n, env);
  if (!isArithmetic(n.kind())) return binaryLoop(n, env);  // the comparisons
  const Node* a = n.operand(0);
  const Node* b = n.operand(1);
  bool commutative = n.kind() == OpKind::Add || n.kind() == OpKind::Mul;
  if (a->dims() != n.dims() && commutative && b->dims() == n.dims()) std::swap(a, b);
  if (a->dims() != n.dims()) return binaryLoop(n, env);
  algorithm alg = n.kind() == OpKind::Add   ? algorithm::binary_add
                  : n.kind() == OpKind::Sub ? algorithm::binary_sub
                  : n.kind() == OpKind::Mul ? algorithm::binary_mul
                                            : algorithm::binary_div;
  size_t rank = std::max<size_t>(n.dims().size(), 1);
  memory::desc aMd = plainDesc(n.dims());
  memory::desc bMd = plainDesc(padTo(b->dims().empty() ? Dims{1} : b->dims(), rank));
  memory::desc cMd = plainDesc(n.dims());
  dnnl::binary::primitive_desc pd(dnnl::binary::desc(alg, aMd, bMd, cMd), env.engine);
  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC_0, memory(aMd, env.engine, env.address(a))},
      {DNNL_ARG_SRC_1, memory(bMd, env.engine, env.address(b))},
      {DNNL_ARG_DST, memory(cMd, env.engine, env.address(&n))},
  };
  return finish(std::make_unique<DnnlKernel>(dnnl::binary(pd), std::move(args), env.stream, pd.impl_info_str()), n);
}

std::unique_ptr<Kernel> makeUnaryKernel(const Node& n, KernelEnv& env) {
  memory::desc md = plainDesc(n.dims());
  const Node* x = n.operand(0);
  if (n.kind() == OpKind::ReluGrad) {
    // g where x > 0, else 0, as a loop: oneDNN's relu backward measured 1–2 µs per [16,64] call
    // here, the loop a tenth of that, and the recurrence runs it once per time step.
    const float* src = env.f32(x);
    const float* g = env.f32(n.operand(1));
    float* out = env.f32(&n);
    size_t count = static_cast<size_t>(n.type().numel());
    return finish(std::make_unique<LoopKernel>("relu_grad", [=] {
      for (size_t i = 0; i < count; ++i) {
        float gi = g[i];  // loaded on both paths, so the loop vectorises (a select, no branch)
        out[i] = src[i] > 0.f ? gi : 0.f;
      }
    }), n);
  }
  algorithm alg;
  float alpha = 0.f, beta = 0.f;
  switch (n.kind()) {
    case OpKind::Relu: alg = algorithm::eltwise_relu; break;
    case OpKind::Tanh: alg = algorithm::eltwise_tanh; break;
    case OpKind::Sigmoid: alg = algorithm::eltwise_logistic; break;
    case OpKind::Exp: alg = algorithm::eltwise_exp; break;
    case OpKind::Log: alg = algorithm::eltwise_log; break;
    case OpKind::Sqrt: alg = algorithm::eltwise_sqrt; break;
    case OpKind::Square: alg = algorithm::eltwise_square; break;
    case OpKind::Neg: alg = algorithm::eltwise_linear, alpha = -1.f; break;
    default: MNEMO_FAIL("no unary kernel for op '" << opName(n.kind()) << "'");
  }
  dnnl::eltwise_forward::primitive_desc pd(
      dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_inference, alg, md, alpha, beta), env.engine);
  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC, memory(md, env.engine, env.address(x))},
      {DNNL_ARG_DST, memory(md, env.engine, env.address(&n))},
  };
  return finish(std::make_unique<DnnlKernel>(dnnl::eltwise_forward(pd), std::move(args), env.stream, pd.impl_info_str()), n);
}

}  // namespace mnemo
