#include "cli/commands.h"

namespace mnemo {

const std::vector<Command>& commands() {
  static const std::vector<Command> list = {
      {"train", "train a model on a task (default: the notebook's RNN on DelayComparison-v0)", runTrain},
      {"dump", "print a graph (.gir, .mnemo) as IR text or DOT, after any pass of a pipeline", runDump},
      {"eval", "run the reference evaluator on a graph with given or random inputs", runEval},
      {"bench", "time forward and training step, fused vs unfused, and report the ratio", runBench},
      {"task", "show or export sample trials of a task (DelayComparison-v0, ...)", runTask},
      {"grad", "write the loss and every parameter gradient of one batch to a .npz file (for outside checks)", runGrad},
      {"analyze", "run single trials of a checkpoint: PCA trajectories, psychometrics, .npz export", runAnalyze},
  };
  return list;
}

}  // namespace mnemo
