// A fused region led by a matmul, run as one oneDNN matmul with a post-op chain: each op of the
// region after the matmul becomes an eltwise post-op (relu, tanh, ...) or a binary post-op
// reading a region parameter. An op with a scalar constant (x·0.5, x+1, −x) is a binary post-op
// over a one-element constant: oneDNN 2.6 applies the alpha/beta of the first eltwise_linear
// post-op to every later one in the chain (seen on this machine; test_runtime_kernels pins it). The region was built by
// fuse-matmul-epilogue under the same rules (runtime/target/fusion_rules.h), checked again here.
#include "support/error.h"
#include "graph/graph.h"
#include "runtime/target/fusion_rules.h"
#include "runtime/kernels/kernel.h"
#include "ops/op_table.h"

namespace mnemo {

namespace {
using dnnl::algorithm;
using dnnl::memory;

/// The oneDNN algorithm of op \p k's row (fusion_rules checked that it has one of \p kind).
algorithm rowAlgorithm(OpKind k, DnnlLowering::Kind kind) {
  const DnnlLowering& lowering = opInfo(k).elementwise.dnnl;
  MNEMO_CHECK(lowering.kind == kind, "op '" << opName(k) << "' has no oneDNN " << (kind == DnnlLowering::Binary ? "binary" : "eltwise") << " post-op");
  return dnnlAlgorithm(lowering.algorithm);
}

}  // namespace

/// \returns true if fused node \p n's body is a matmul followed by a post-op chain.
bool isMatmulRegion(const Node& n) {
  for (const Node* b : n.body()->nodes())
    if (!b->isLeaf()) return b->kind() == OpKind::MatMul;
  return false;
}

std::unique_ptr<Kernel> makeFusedMatmulKernel(const Node& n, KernelEnv& env) {
  const Graph& body = *n.body();
  // Body input i stands for operand i.
  std::unordered_map<const Node*, const Node*> outer;
  int param = 0;
  for (const Node* b : body.nodes())
    if (b->kind() == OpKind::Input) outer[b] = n.operand(param++);
  const Node* mm = nullptr;
  dnnl::post_ops ops;
  std::unordered_map<int, memory> args;
  int postIndex = 0;
  // One-element operands for constant steps; sized up front so their addresses stay put.
  auto constants = std::make_shared<std::vector<float>>();
  constants->reserve(body.size() * 2);
  memory::desc scalarMd = plainDesc(Dims(n.dims().size(), 1));
  // Each append adds one post-op; a binary one binds its operand at the post-op's index.
  auto appendBinary = [&](algorithm alg, const memory::desc& md, void* data) {
    ops.append_binary(alg, md);
    args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(postIndex++) | DNNL_ARG_SRC_1] = memory(md, env.engine, data);
  };
  auto appendConstant = [&](algorithm alg, float value) {
    constants->push_back(value);
    appendBinary(alg, scalarMd, &constants->back());
  };
  const Node* acc = nullptr;
  for (const Node* b : body.nodes()) {
    if (b->isLeaf()) continue;
    if (!mm) {
      MNEMO_CHECK(b->kind() == OpKind::MatMul, "region %" << n.name() << " does not start with a matmul");
      mm = acc = b;
      continue;
    }
    int accIndex = b->operand(0) == acc ? 0 : 1;
    MNEMO_CHECK(b->operand(accIndex) == acc, "region %" << n.name() << " is not a chain");
    EpilogueStep step;
    FusionDecision d = epilogueStep(b, accIndex, &step);
    MNEMO_CHECK(d.ok, "region %" << n.name() << ": " << d.why);
    MNEMO_CHECK(postIndex + postOpCount(step) <= kMaxPostOps,
                "region %" << n.name() << " needs more than oneDNN's " << kMaxPostOps << " post-ops");
    if (step.kind == EpilogueStep::Binary) {
      const Node* other = b->operand(step.otherIndex);
      MNEMO_CHECK(outer.count(other), "binary post-op operand of region %" << n.name() << " is not a parameter");
      const Node* src = outer.at(other);
      Dims d1 = src->dims();
      // [N] → [1,N] (or [1,1,N] for a batched matmul), scalar → [1,1]: the result's rank.
      const size_t rank = n.dims().size();
      if (d1.size() < rank) d1.insert(d1.begin(), rank - d1.size(), 1);
      appendBinary(rowAlgorithm(step.op, DnnlLowering::Binary), plainDesc(d1), env.address(src));
    } else if (step.linear) {  // alpha·x + beta as a multiply and/or an add
      if (step.alpha != 1.f) appendConstant(algorithm::binary_mul, step.alpha);
      if (step.beta != 0.f || step.alpha == 1.f) appendConstant(algorithm::binary_add, step.beta);
    } else {
      const DnnlLowering& lowering = opInfo(step.op).elementwise.dnnl;
      ops.append_eltwise(1.f, rowAlgorithm(step.op, DnnlLowering::Eltwise), lowering.alpha, lowering.beta);
      ++postIndex;
    }
    acc = b;
  }
  MNEMO_CHECK(acc == body.outputs()[0], "region %" << n.name() << " does not end with its result");
  const Node* a = outer.at(mm->operand(0));
  const Node* w = outer.at(mm->operand(1));
  memory::desc aMd = matmulOperandDesc(a->dims(), mm->attr<bool>("transpose_a"));
  memory::desc wMd = matmulOperandDesc(w->dims(), mm->attr<bool>("transpose_b"));
  memory::desc cMd = plainDesc(n.dims());
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(aMd, wMd, cMd), attr, env.engine);
  args[DNNL_ARG_SRC] = memory(aMd, env.engine, env.address(a));
  args[DNNL_ARG_WEIGHTS] = memory(wMd, env.engine, env.address(w));
  args[DNNL_ARG_DST] = memory(cMd, env.engine, env.address(&n));
  auto k = std::make_unique<DnnlKernel>(dnnl::matmul(pd), std::move(args), env.stream,
                                        std::string(pd.impl_info_str()) + "+" + std::to_string(postIndex) + "post-ops",
                                        constants);
  k->node = &n;
  return k;
}

}  // namespace mnemo
