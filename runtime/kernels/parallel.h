// Splitting mnemo's own loops (elementwise, fused, reductions, losses, the optimizers) over the
// OpenMP threads the executable was compiled for (CompileOptions::threads; oneDNN's primitives
// use the same threads). A loop is split only when it has enough work that a fork and join
// (about a microsecond or two with libgomp) is small beside it: the small loops of a notebook-size
// step stay on the calling thread, so a second thread cannot slow them. The split is static —
// thread t gets the t-th contiguous range — so a result that combines per-thread parts (a loss
// summed over rows) is the same from run to run at a given thread count.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstddef>
#include <exception>

namespace mnemo {

/// The least work (elements a loop touches, about one arithmetic op each) worth splitting.
constexpr size_t kParallelMinWork = 1 << 15;

/// Threads a loop of \p work elements runs on: 1 below kParallelMinWork, else OpenMP's count.
inline int loopThreads(size_t work) { return work < kParallelMinWork ? 1 : std::max(1, omp_get_max_threads()); }

/// Calls body(begin, end, thread) on contiguous ranges covering [0, \p count), one per thread
/// (loopThreads(\p work) of them), each range's length a multiple of \p align except the last.
/// With one thread: body(0, count, 0) on the caller. An exception thrown by any range (a bad
/// label) is rethrown on the caller after all ranges finish.
template <typename Body>
void parallelRanges(size_t count, size_t work, size_t align, Body&& body) {
  const int threads = loopThreads(work);
  if (threads == 1 || count <= align) {
    body(size_t{0}, count, 0);
    return;
  }
  std::exception_ptr error;
#pragma omp parallel num_threads(threads)
  {
    const size_t n = static_cast<size_t>(omp_get_num_threads()), t = static_cast<size_t>(omp_get_thread_num());
    const size_t per = ((count + n - 1) / n + align - 1) / align * align;
    const size_t begin = std::min(count, t * per), end = std::min(count, begin + per);
    if (begin < end) {
      try {
        body(begin, end, static_cast<int>(t));
      } catch (...) {
#pragma omp critical(mnemo_parallel_ranges_error)
        if (!error) error = std::current_exception();
      }
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace mnemo
