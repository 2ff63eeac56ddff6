// The mnemo subcommands. Each lives in its own cli/cmd_<name>.cpp, parses its own flags
// with Boost.Program_options and returns the process exit code. Errors are thrown as
// mnemo::Error (or a Boost option error) and reported by main as one line.
#pragma once

#include <string>
#include <vector>

namespace mnemo {

using Args = std::vector<std::string>;  // the arguments after the subcommand name

int runAnalyze(const Args& args);
int runBench(const Args& args);
int runDump(const Args& args);
int runEval(const Args& args);
int runGrad(const Args& args);
int runTrain(const Args& args);
int runTask(const Args& args);

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const Args& args);
};

/// Every subcommand, in the order `mnemo --help` lists them.
const std::vector<Command>& commands();

}  // namespace mnemo
