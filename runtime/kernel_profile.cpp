// groupKernelTimes (see kernel_profile.h).
#include "runtime/kernel_profile.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "graph/op_kind.h"
#include "runtime/kernels/kernel.h"
#include "support/error.h"

namespace mnemo {

namespace {

/// "matmul+add+relu" for a fused region, the op's name otherwise.
std::string opLabel(const Node& n) {
  if (n.kind() != OpKind::Fused || !n.body()) return opName(n.kind());
  std::string out;
  for (const Node* b : n.body()->nodes())
    if (!b->isLeaf()) out += (out.empty() ? "" : "+") + std::string(opName(b->kind()));
  return out.empty() ? "fused" : out;
}

}  // namespace

std::vector<KernelGroup> groupKernelTimes(const Executable& exe, const std::vector<double>& secondsPerKernel) {
  const auto& kernels = exe.kernels();
  MNEMO_CHECK(secondsPerKernel.size() == kernels.size(),
              "a kernel profile needs " << kernels.size() << " entries, got " << secondsPerKernel.size());
  std::map<std::tuple<std::string, std::string, std::string>, KernelGroup> groups;
  for (size_t i = 0; i < kernels.size(); ++i) {
    const Node& n = *kernels[i]->node;
    KernelGroup g{opLabel(n), kernels[i]->impl(), n.type().str(), 0, 0};
    KernelGroup& at = groups.emplace(std::make_tuple(g.op, g.impl, g.shape), g).first->second;
    ++at.kernels;
    at.seconds += secondsPerKernel[i];
  }
  std::vector<KernelGroup> out;
  for (auto& entry : groups) out.push_back(std::move(entry.second));
  std::stable_sort(out.begin(), out.end(), [](const KernelGroup& a, const KernelGroup& b) { return a.seconds > b.seconds; });
  return out;
}

std::vector<double> kernelMedians(const std::vector<std::vector<double>>& perStep) {
  std::vector<double> medians, column(perStep.size());
  const size_t kernels = perStep.empty() ? 0 : perStep[0].size();
  for (const auto& row : perStep)
    MNEMO_CHECK(row.size() == kernels, "a profiled step has " << row.size() << " kernel times, the first " << kernels);
  for (size_t k = 0; k < kernels; ++k) {
    for (size_t r = 0; r < perStep.size(); ++r) column[r] = perStep[r][k];
    const size_t mid = column.size() / 2;
    std::nth_element(column.begin(), column.begin() + static_cast<std::ptrdiff_t>(mid), column.end());
    double m = column[mid];
    if (column.size() % 2 == 0) m = (m + *std::max_element(column.begin(), column.begin() + static_cast<std::ptrdiff_t>(mid))) / 2;
    medians.push_back(m);
  }
  return medians;
}

}  // namespace mnemo
