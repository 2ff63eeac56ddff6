#include "frontend/commands.h"

namespace mnemo {

const std::vector<Command>& commands() {
  static const std::vector<Command> list = {
      {"train", "train a model on a task (default: the notebook's RNN on DelayComparison-v0)", runTrain},
      {"dump", "parse, verify and print a graph (.gir) as IR text or DOT", runDump},
      {"eval", "run the reference evaluator on a graph with given or random inputs", runEval},
      {"task", "show or export sample trials of a task (DelayComparison-v0, ...)", runTask},
  };
  return list;
}

}  // namespace mnemo
