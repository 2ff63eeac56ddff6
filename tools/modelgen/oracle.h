// The differential oracle: one model text, compiled by every pipeline variant and run on the
// oneDNN runtime for two training steps, against the double-precision reference evaluator run
// on the unfused training graph with the same (float-rounded) inputs and parameters.
//
// Compared, per variant: the forward outputs and the loss of step 1, every parameter's gradient
// (read from Adam's first moment after step 1: m = (1 − β1)·g), and every parameter after
// steps 1 and 2.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model.h"

namespace mnemo::modelgen {

/// A pipeline to test: fused or not, and the passes switched off (by pass name).
struct Variant {
  std::string name;
  bool fuse = true;
  std::vector<std::string> disabled;
  /// Build the forward graph with the C++ Builder (builder_model.h) instead of parsing the
  /// text; needs the GenModel, so variants with it are skipped when only text is given.
  bool builder = false;
  /// Compile for inference (the "infer" pipelines): only the forward outputs are compared.
  bool infer = false;
  /// Also return the first state stacked over time (%hs, as `analyze` asks): one more graph
  /// output changes what may fuse. %hs itself is not compared.
  bool returnHidden = false;
};
/// unfused, fused, fused with each fusion-related pass disabled in turn, unfused and fused from
/// the Builder-made graph, the fused inference pipeline, and fused training returning %hs.
std::vector<Variant> defaultVariants();

struct CheckResult {
  enum Status { Pass, Fail, Invalid, Degenerate } status = Pass;
  std::string kind;     // Fail: "crash", "hang", "internal error", "error", "mismatch"
  std::string variant;  // Fail: the first variant that failed
  std::string message;  // one line
  /// What identifies the bug for shrinking and counting: kind, variant and the message with
  /// numbers and value names removed.
  std::string signature() const;
};

/// Runs the oracle in this process (a crash takes the process down).
/// \p onVariant, if set, is called with each variant's name before it runs. \p model, if given, is
/// what \p text was emitted from (for the Builder variants).
CheckResult checkModel(const std::string& text, int64_t batch, int64_t seqLen,
                       const std::vector<Variant>& variants = defaultVariants(),
                       const std::function<void(const std::string&)>& onVariant = {},
                       const GenModel* model = nullptr);
/// Runs checkModel in a child process, so a crash or hang (past \p timeoutSeconds of CPU time)
/// becomes a "crash"/"hang" result instead of ending the caller.
CheckResult checkIsolated(const std::string& text, int64_t batch, int64_t seqLen, unsigned timeoutSeconds = 120,
                          const std::vector<Variant>& variants = defaultVariants(), const GenModel* model = nullptr);
/// checkIsolated on \p m's text, with the Builder variants.
CheckResult checkGenerated(const GenModel& m);

}  // namespace mnemo::modelgen
