// matmul on oneDNN's matmul primitive. Transposed operands are expressed through memory
// descriptor strides, so no copy is made.
#include "support/error.h"
#include "runtime/kernels/kernel.h"

namespace mnemo {

namespace {
using dnnl::memory;

/// The logical [rows, cols] operand over storage that is [cols, rows] when \p transposed.
memory::desc matrixDesc(const Dims& stored, bool transposed) {
  memory::dim r = stored[0], c = stored[1];
  if (!transposed) return memory::desc({r, c}, memory::data_type::f32, memory::dims{c, 1});
  return memory::desc({c, r}, memory::data_type::f32, memory::dims{1, c});
}
}  // namespace

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
  memory::desc aMd = matrixDesc(a->dims(), n.attrs().getBool("transpose_a"));
  memory::desc bMd = matrixDesc(b->dims(), n.attrs().getBool("transpose_b"));
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
