// The named pipelines. "train" turns a forward graph into an optimized training step; "infer"
// optimizes a forward graph; the "-unfused" variants leave one kernel per op (the baseline that
// --no-fuse selects and the benchmarks compare against). "train-sgd" trains with SGD with momentum
// instead of Adam.
#include "support/error.h"
#include "graph/passes/pass_manager.h"
#include "graph/passes/passes.h"

namespace mnemo {

namespace {
void addOptimizations(PassManager& pm) {
  pm.add(createSimplifyPass());
  pm.add(createCsePass());
  pm.add(createDcePass());
  pm.add(createTimeBatchPass());
  pm.add(createSimplifyPass());
  pm.add(createCsePass());
  pm.add(createDcePass());
  pm.add(createFuseMatmulEpiloguePass());
  pm.add(createFuseElementwisePass());
}
}  // namespace

std::vector<std::string> pipelineNames() {
  return {"train", "train-unfused", "train-sgd", "train-sgd-unfused", "infer", "infer-unfused"};
}

void buildPipeline(const std::string& name, PassManager& pm) { buildPipeline(name, pm, PipelineOptions{}); }

void buildPipeline(const std::string& name, PassManager& pm, const PipelineOptions& opts) {
  bool sgd = name == "train-sgd" || name == "train-sgd-unfused";
  bool train = sgd || name == "train" || name == "train-unfused";
  bool unfused = name == "train-unfused" || name == "train-sgd-unfused" || name == "infer-unfused";
  if (!train && name != "infer" && name != "infer-unfused")
    MNEMO_FAIL("unknown pipeline '" << name
                                    << "' (known: train, train-unfused, train-sgd, train-sgd-unfused, infer, infer-unfused)");
  if (train) {
    auto [autodiffPass, adamPass] = createTrainingPasses();
    pm.add(std::move(autodiffPass));
    if (opts.clipGradNorm != 0) pm.add(createClipGradNormPass(opts.clipGradNorm));  // a bad value is its error
    pm.add(sgd ? createSgdMomentumPass() : std::move(adamPass));
  }
  if (unfused) pm.add(createDcePass());
  else addOptimizations(pm);
}

}  // namespace mnemo
