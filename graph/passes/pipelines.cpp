// The named pipelines. "train" turns a forward graph into an optimized training step; "infer"
// optimizes a forward graph; the "-unfused" variants leave one kernel per op (the baseline that
// --no-fuse selects and the benchmarks compare against); the "-onednn" variants fuse as the
// default ones do but run every matmul on oneDNN (no micro-kernel), to compare the two. "train-sgd" trains with SGD with momentum
// instead of Adam.
#include "support/error.h"
#include "graph/passes/pass_manager.h"
#include "graph/passes/passes.h"

namespace mnemo {

namespace {
void addOptimizations(PassManager& pm, bool microKernels) {
  pm.add(createSimplifyPass());
  pm.add(createCsePass());
  pm.add(createDcePass());
  pm.add(createTimeBatchPass(microKernels));
  pm.add(createSimplifyPass());
  pm.add(createCsePass());
  pm.add(createDcePass());
  if (microKernels) pm.add(createTransposeOncePass());
  pm.add(createFuseMatmulEpiloguePass(microKernels));
  pm.add(createFuseElementwisePass());
}
}  // namespace

std::vector<std::string> pipelineNames() {
  return {"train", "train-unfused", "train-onednn", "train-sgd", "train-sgd-unfused", "infer", "infer-unfused", "infer-onednn"};
}

void buildPipeline(const std::string& name, PassManager& pm) { buildPipeline(name, pm, PipelineOptions{}); }

void buildPipeline(const std::string& name, PassManager& pm, const PipelineOptions& opts) {
  bool sgd = name == "train-sgd" || name == "train-sgd-unfused";
  bool train = sgd || name == "train" || name == "train-unfused" || name == "train-onednn";
  bool onednnOnly = name == "train-onednn" || name == "infer-onednn" || !opts.microKernels;
  bool unfused = name == "train-unfused" || name == "train-sgd-unfused" || name == "infer-unfused";
  if (!train && name != "infer" && name != "infer-unfused" && name != "infer-onednn") {
    std::string known;
    for (const std::string& p : pipelineNames()) known += (known.empty() ? "" : ", ") + p;
    MNEMO_FAIL("unknown pipeline '" << name << "' (known: " << known << ")");
  }
  if (train) {
    auto [autodiffPass, adamPass] = createTrainingPasses(opts.optimizerRows);
    pm.add(std::move(autodiffPass));
    if (opts.clipGradNorm != 0) pm.add(createClipGradNormPass(opts.clipGradNorm));  // a bad value is its error
    pm.add(sgd ? createSgdMomentumPass(opts.optimizerRows) : std::move(adamPass));
  }
  if (unfused) pm.add(createDcePass());
  else addOptimizations(pm, !onednnOnly);
}

}  // namespace mnemo
