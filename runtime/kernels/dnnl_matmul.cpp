// matmul on oneDNN's matmul primitive, 2-D or batched 3-D (oneDNN takes the leading batch axis
// natively). Transposed operands are expressed through memory descriptor strides, so no copy is made.
#include "support/error.h"
#include "runtime/kernels/kernel.h"

namespace mnemo {

using dnnl::memory;

/// The logical [rows, cols] operand (or [G, rows, cols] batch of them) over row-major storage
/// that is [cols, rows] in its last two axes when \p transposed.
memory::desc matmulOperandDesc(const Dims& stored, bool transposed) {
  MNEMO_CHECK(stored.size() == 2 || stored.size() == 3, "a matmul operand of rank " << stored.size());
  const bool batched = stored.size() == 3;
  const memory::dim g = batched ? stored[0] : 1, r = stored[stored.size() - 2], c = stored.back();
  memory::dims logical = transposed ? memory::dims{c, r} : memory::dims{r, c};
  memory::dims strides = transposed ? memory::dims{1, c} : memory::dims{c, 1};
  if (batched) {
    logical.insert(logical.begin(), g);
    strides.insert(strides.begin(), r * c);
  }
  return memory::desc(logical, memory::data_type::f32, strides);
}

dnnl::memory::desc plainDesc(const Dims& dims) {
  // A scalar is described as {1}; the tag for a plain row-major layout of each rank.
  static const memory::format_tag kTags[] = {memory::format_tag::a, memory::format_tag::a, memory::format_tag::ab,
                                             memory::format_tag::abc, memory::format_tag::abcd, memory::format_tag::abcde};
  MNEMO_CHECK(dims.size() <= 5, "rank " << dims.size() << " is beyond the runtime's limit of 5");
  memory::dims d = dims.empty() ? memory::dims{1} : memory::dims(dims.begin(), dims.end());
  return memory::desc(d, memory::data_type::f32, kTags[dims.size()]);
}

std::unique_ptr<Kernel> makeMatmulKernel(const Node& n, KernelEnv& env) {
  const Node* a = n.operand(0);
  const Node* b = n.operand(1);
  memory::desc aMd = matmulOperandDesc(a->dims(), n.attr<bool>("transpose_a"));
  memory::desc bMd = matmulOperandDesc(b->dims(), n.attr<bool>("transpose_b"));
  memory::desc cMd = plainDesc(n.dims());
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(aMd, bMd, cMd), env.engine);
  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC, memory(aMd, env.engine, env.address(a))},
      {DNNL_ARG_WEIGHTS, memory(bMd, env.engine, env.address(b))},
      {DNNL_ARG_DST, memory(cMd, env.engine, env.address(&n))},
  };
  auto k = std::make_unique<DnnlKernel>(dnnl::matmul(pd), std::move(args), env.stream, pd.impl_info_str());
  k->node = &n;
  return k;
}

}  // namespace mnemo
