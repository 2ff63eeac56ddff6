// Where a compiled step spends its time, kernel by kernel: `mnemo bench --profile` times every
// kernel of a step (Executable::setProfile) and groups the kernels that do the same thing — the
// same op (a fused region by its ops), the same implementation and the same result shape — so
// that 99 recurrent steps read as one line.
#pragma once

#include <string>
#include <vector>

#include "runtime/executable.h"

namespace mnemo {

struct KernelGroup {
  std::string op;     ///< the op, or a fused region's ops joined by '+'
  std::string impl;   ///< the kernel's implementation (Kernel::impl)
  std::string shape;  ///< the result's type, e.g. f32[16,64]
  size_t kernels = 0;
  double seconds = 0;  ///< all of the group's kernels, summed over the profiled runs
};

/// The kernels of \p exe grouped as above with their summed \p secondsPerKernel (as
/// Executable::setProfile collected them), most time first.
std::vector<KernelGroup> groupKernelTimes(const Executable& exe, const std::vector<double>& secondsPerKernel);

/// Per kernel (column), the median of its times over the profiled steps (rows, each as
/// Executable::setProfile filled it for one step): a step preempted by another process moves a
/// mean by the whole pause, a median not at all. Rows of unequal length are a caller's bug.
std::vector<double> kernelMedians(const std::vector<std::vector<double>>& perStep);

}  // namespace mnemo
