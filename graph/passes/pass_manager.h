// The pass manager: runs a named pipeline of passes over a graph. It verifies the graph before
// the first pass and after every pass that changed it, dumps the graph after each pass (or those
// whose name matches) into numbered files, can stop after pass N or skip passes by name, reports
// per-pass time and node counts, and catches a pass that says "no change" but edited the graph
// (its Graph::version moved: the check costs nothing, where printing the graph before and after
// every pass to compare was 38 % of a long sequence's compile).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "graph/passes/pass.h"

namespace mnemo {

struct PassManagerOptions {
  std::string dumpDir;               ///< write DIR/<graph>.<NN>.<pass>.<ext> after each pass
  std::string dumpFilter = "all";    ///< "all", "changed", or a substring of the pass names to dump
  std::string dumpFormat = "ir";     ///< "ir" (.gir) or "dot" (.dot)
  int stopAfter = -1;                ///< run passes 1..N only (-1: all)
  std::vector<std::string> disabled; ///< pass names to skip
  bool verifyEach = true;            ///< verify after every pass that changed the graph
  bool checkChanged = true;          ///< catch a dishonest "no change" (Graph::version moved)
  bool explain = false;              ///< passes record their decisions (--explain-fusion)
  std::string source;                ///< the input file, named in front of a pass's error
};

/// What one pass did.
struct PassRecord {
  int index;  // 1-based position in the pipeline
  std::string name;
  bool ran, changed;
  size_t nodesBefore, nodesAfter;
  double milliseconds;
  std::vector<std::string> notes;
};

class PassManager {
 public:
  explicit PassManager(PassManagerOptions opts = {}) : opts_(std::move(opts)) {}
  void add(std::unique_ptr<Pass> pass) { passes_.push_back(std::move(pass)); }
  const std::vector<std::unique_ptr<Pass>>& passes() const { return passes_; }

  /// Runs the pipeline on \p g; throws mnemo::Error naming the pass if the graph stops verifying
  /// or a pass misreports a change.
  std::vector<PassRecord> run(Graph& g);
  /// The per-pass table (time, nodes before → after, changed) as text.
  static std::string report(const std::vector<PassRecord>& records);

 private:
  void dump(const Graph& g, int index, const std::string& passName, const std::string& header,
            const std::vector<std::string>& notes) const;
  PassManagerOptions opts_;
  std::vector<std::unique_ptr<Pass>> passes_;
};

/// Names of the pipelines buildPipeline knows: "train" (autodiff, adam, then the optimizations),
/// "train-unfused" (autodiff, adam, dce: one kernel per op), "train-onednn" (fused, every matmul on
/// oneDNN), "infer", "infer-unfused", "infer-onednn".
std::vector<std::string> pipelineNames();
/// Adds the passes of pipeline \p name to \p pm; throws mnemo::Error for an unknown name.
void buildPipeline(const std::string& name, PassManager& pm);

/// What a training pipeline may add to its passes.
struct PipelineOptions {
  /// Not 0: clip the gradients to this global L2 norm (> 0) before the optimizer (the
  /// clip-grad-norm pass, which rejects any other value).
  double clipGradNorm = 0;
  /// Small matmuls may run on mnemo's micro-kernel (false: every matmul on oneDNN, as the
  /// "-onednn" pipelines do).
  bool microKernels = true;
  /// > 0: the optimizer holds one hyper row (learning rate, step) per member of an ensemble whose
  /// params are stacked on a leading axis of this length (ops/optim.cpp); 0: one shared row.
  int64_t optimizerRows = 0;
};
/// buildPipeline with \p opts (the infer pipelines read only microKernels).
void buildPipeline(const std::string& name, PassManager& pm, const PipelineOptions& opts);

}  // namespace mnemo
