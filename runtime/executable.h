// Lowering: a graph becomes an Executable — one kernel per node (views have none), every oneDNN
// primitive created here, once, over buffers from the memory plan. Executing a stage is a flat
// loop over kernels with no allocation and no primitive creation. oneDNN's types stay out of this
// header (and so out of everything that includes session.h): the kernels and the engine are
// defined in the .cpp files.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "graph/graph.h"
#include "runtime/memory_plan.h"

namespace mnemo {

class Kernel;  // runtime/kernels/kernel.h, private to the runtime

/// How to lower a graph. (Which optimizations ran is the pipeline's business: lowering takes
/// the graph as it is.)
struct CompileOptions {
  /// OpenMP threads for oneDNN's primitives and mnemo's large loops (runtime/kernels/parallel.h);
  /// set again before every run, since OpenMP's count is process-wide. 1 is fastest for B=16, H=64.
  int threads = 1;
};

class Executable {
 public:
  /// Compiles \p g, which must outlive the Executable and not change while it exists.
  Executable(const Graph& g, const CompileOptions& opts);
  Executable(const Executable&) = delete;
  Executable& operator=(const Executable&) = delete;
  ~Executable();

  /// Runs the kernels of every stage up to \p last, in order.
  void run(Stage last);
  /// Runs the kernels of stage \p s alone (after the stages before it have run).
  void runStage(Stage s);
  /// Kernels executed by run(\p last).
  size_t kernelCount(Stage last) const;

  /// The bytes of value \p n: leaves (inputs, params, state, constants) persist across runs;
  /// other values live in the arena and are valid only until the plan reuses them (graph
  /// outputs are never reused).
  char* address(const Node* n) const;
  const Graph& graph() const { return g_; }
  const MemoryPlan& plan() const { return plan_; }
  size_t persistentBytes() const { return persistentBytes_; }
  const std::vector<std::unique_ptr<Kernel>>& kernels() const { return kernels_; }
  /// One line per kernel: node, op, stage and implementation.
  std::string describe() const;
  /// While \p secondsPerKernel is set (it must have kernels().size() entries), every run adds
  /// each kernel's wall time to its entry (steady clock around the kernel's run; oneDNN's CPU
  /// stream runs a primitive before it returns). nullptr stops it. For `mnemo bench --profile`.
  void setProfile(std::vector<double>* secondsPerKernel);

 private:
  const Graph& g_;
  MemoryPlan plan_;
  std::unique_ptr<char, void (*)(void*)> arena_{nullptr, nullptr};
  std::unique_ptr<char, void (*)(void*)> persistent_{nullptr, nullptr};
  std::unordered_map<const Node*, char*> leafAddress_;
  size_t persistentBytes_ = 0;
  int threads_ = 1;
  struct Dnnl;                  // oneDNN's engine and stream, kept out of this header
  std::unique_ptr<Dnnl> dnnl_;
  std::vector<std::unique_ptr<Kernel>> kernels_;
  size_t stageEnd_[3] = {0, 0, 0};  // kernels_[0, stageEnd_[s]) belong to stages <= s
  std::vector<double>* profile_ = nullptr;
  void runKernels(size_t begin, size_t end);
};

}  // namespace mnemo
