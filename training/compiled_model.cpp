#include "training/compiled_model.h"

#include <chrono>
#include <cmath>

#include "graph/passes/adam.h"
#include "graph/passes/sgd_momentum.h"

namespace mnemo {

std::string pipelineFor(const CompileSettings& settings) {
  std::string base = !settings.train ? "infer" : settings.optimizer == "sgd" ? "train-sgd" : "train";
  return base + (settings.fuse ? "" : "-unfused");
}

std::vector<double> optimizerHyper(const RunConfig& run, int64_t step) {
  if (run.optimizer == "sgd") return sgdHyper(run.lr, run.momentum, step);
  const AdamConfig adam;
  return {run.lr, adam.beta1, adam.beta2, adam.eps, static_cast<double>(step)};
}

ModelOptions runModelOptions(const RunConfig& run) {
  ModelOptions opts;
  opts.batch = run.batch;
  opts.seqLen = run.seqLen;
  opts.sizeOverrides = run.sizes;
  opts.constOverrides = run.consts;
  return opts;
}

std::string firstNonFinite(const Session& s, const Model& model) {
  for (const Node* n : model.graph->persistentLeaves()) {
    const float* v = s.f32(n->name());
    const int64_t count = n->type().numel();
    for (int64_t i = 0; i < count; ++i) {
      if (std::isfinite(v[i])) continue;
      if (n->kind() == OpKind::Param) return "%" + n->name() + " holds NaN or infinite values after the update";
      return "optimizer state %" + n->name() + " holds NaN or infinite values";
    }
  }
  return "";
}

Model parseRunModel(const RunConfig& run) { return parseModel(run.modelSource, run.modelFile, runModelOptions(run)); }

CompiledModel compileParsedModel(Model model, const CompileSettings& settings) {
  auto start = std::chrono::steady_clock::now();
  CompiledModel cm;
  cm.model = std::move(model);
  PassManager pm;
  PipelineOptions popts;
  popts.clipGradNorm = settings.train ? settings.clipGradNorm : 0;
  popts.microKernels = settings.microKernels;
  popts.optimizerRows = settings.optimizerRows;
  buildPipeline(pipelineFor(settings), pm, popts);
  cm.passes = pm.run(*cm.model.graph);
  CompileOptions copts;
  copts.threads = settings.threads;
  cm.session = std::make_unique<Session>(*cm.model.graph, copts);
  cm.compileMilliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return cm;
}

CompiledModel compileModel(const std::string& source, const std::string& file, const ModelOptions& opts,
                           const CompileSettings& settings) {
  auto start = std::chrono::steady_clock::now();
  CompiledModel cm = compileParsedModel(parseModel(source, file, opts), settings);
  cm.compileMilliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return cm;
}

}  // namespace mnemo
