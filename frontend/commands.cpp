#include "frontend/commands.h"

namespace mnemo {

const std::vector<Command>& commands() {
  static const std::vector<Command> list = {
      {"dump", "parse, verify and print a graph (.gir) as IR text or DOT", runDump},
      {"eval", "run the reference evaluator on a graph with given or random inputs", runEval},
  };
  return list;
}

}  // namespace mnemo
