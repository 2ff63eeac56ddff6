// A model compiled for one shape signature: parsed from its DSL text, turned into a training
// (or inference) graph by a named pipeline, and lowered to a runtime session.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "frontend/dsl/model.h"
#include "training/run_config.h"
#include "graph/passes/pass_manager.h"
#include "runtime/session.h"

namespace mnemo {

struct CompileSettings {
  bool train = true;  ///< append the bwd and opt stages (autodiff, Adam)
  bool fuse = true;   ///< run the optimizing passes (false: one kernel per op)
  int threads = 1;
  std::string optimizer = "adam";  ///< the optimizer pass of a training pipeline: adam or sgd
  double clipGradNorm = 0;         ///< > 0: the clip-grad-norm pass before the optimizer
  bool microKernels = true;        ///< small matmuls on mnemo's micro-kernel (false: oneDNN only)
  int64_t optimizerRows = 0;       ///< > 0: one optimizer hyper row per ensemble member (PipelineOptions)
};

struct CompiledModel {
  Model model;  ///< names of the model's parts; model.graph is the compiled graph
  std::unique_ptr<Session> session;
  std::vector<PassRecord> passes;
  double compileMilliseconds = 0;

  Graph& graph() { return *model.graph; }
};

/// The DSL options of a run: its batch and sequence length, its size and constant overrides.
ModelOptions runModelOptions(const RunConfig& run);

/// The run's model, parsed and unrolled but not compiled: its declarations and sizes, and every
/// error in the model file before anything else of the run is set up.
Model parseRunModel(const RunConfig& run);

/// Parses \p source (named \p file in diagnostics) with \p opts and compiles it.
CompiledModel compileModel(const std::string& source, const std::string& file, const ModelOptions& opts,
                           const CompileSettings& settings);

/// Compiles a parsed (or built) model: runs the pipeline of \p settings on its graph and lowers
/// it to a session.
CompiledModel compileParsedModel(Model model, const CompileSettings& settings);

/// The pipeline name for \p settings: train / train-sgd / infer, with "-unfused" when not fusing.
std::string pipelineFor(const CompileSettings& settings);

/// "%p holds NaN or infinite values after the update" (or "optimizer state %p.m holds ...") for
/// the first parameter or optimizer state of \p model in \p s that is not finite; empty if all
/// are. A finite loss can come with an update that overflowed: a training step checks this too.
std::string firstNonFinite(const Session& s, const Model& model);

/// The values of the optimizer's %hyper state for \p run after \p step steps (Session::setHyper):
/// Adam's [lr, beta1, beta2, eps, t] with BrainPy's defaults, or SGD's [lr, momentum, t].
std::vector<double> optimizerHyper(const RunConfig& run, int64_t step);

}  // namespace mnemo
