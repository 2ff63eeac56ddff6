// Command-line flags and values shared by the subcommands in cli/cmd_*.cpp: the flags that
// size a model (--batch, --seq-len, --hidden, --size NAME=V, --set NAME=V) and the --seed value. Header-only
// because it needs Boost.Program_options, which only the `mnemo` executable links; library code
// uses ModelSizing (graph_source.h).
#pragma once

#include <boost/program_options.hpp>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "training/graph_source.h"
#include "support/error.h"
#include "support/limits.h"

namespace mnemo {

/// Adds --max-memory (the memory limit every compiled graph is checked against, support/limits.h).
inline void addMemoryFlag(boost::program_options::options_description& opts) {
  namespace po = boost::program_options;
  opts.add_options()("max-memory", po::value<std::string>()->notifier([](const std::string& text) {
    setMemoryLimitBytes(parseByteSize(text, "--max-memory"));
  }), "memory a compiled graph may plan, e.g. 2G (default: the memory available now)");
}

/// Adds the sizing flags (and --max-memory) to \p opts, writing into \p sizing.
inline void addSizingFlags(boost::program_options::options_description& opts, ModelSizing& sizing) {
  namespace po = boost::program_options;
  addMemoryFlag(opts);
  opts.add_options()
      ("batch", po::value<int64_t>(&sizing.batch)->default_value(sizing.batch), "batch size B (model files)")
      ("seq-len", po::value<int64_t>(&sizing.seqLen)->default_value(sizing.seqLen), "sequence length T (model files)")
      ("hidden", po::value<int64_t>()->notifier([&sizing](int64_t h) { sizing.hidden = h; }),
       "hidden size: overrides the model's size H")
      ("size", po::value<std::vector<std::string>>(&sizing.sizes)->composing(),
       "NAME=VALUE: overrides any size the model declares (repeatable)")
      ("set", po::value<std::vector<std::string>>(&sizing.sets)->composing(),
       "NAME=VALUE: overrides a constant the model declares, e.g. --set tau=50 (repeatable)");
}

/// Records in \p sizing whether any sizing flag was given on the command line (call after
/// notify).
inline void noteSizingFlags(const boost::program_options::variables_map& vm, ModelSizing& sizing) {
  for (const char* flag : {"batch", "seq-len", "hidden", "size", "set"})
    if (vm.count(flag) && !vm[flag].defaulted()) sizing.given = true;
}

/// Parses \p args against \p opts into \p vm; with \p file, one positional argument (a file
/// name) is accepted and stored there. \returns false when --help was asked for (the help is
/// printed); bad flags throw Boost's errors, which main reports as one line.
inline bool parseCommandLine(const std::vector<std::string>& args, const boost::program_options::options_description& opts,
                             boost::program_options::variables_map& vm, std::string* file = nullptr) {
  namespace po = boost::program_options;
  po::options_description all;
  all.add(opts);
  po::positional_options_description positional;
  if (file) {
    po::options_description hidden;
    hidden.add_options()("file", po::value<std::string>(file), "input file");
    all.add(hidden);
    positional.add("file", 1);
  }
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return false;
  }
  po::notify(vm);
  return true;
}

/// The text of the --model file \p path; throws a one-line mnemo::Error if it cannot be opened.
inline std::string readModelText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) MNEMO_FAIL("--model " << path << ": cannot open file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A --seed value: a non-negative integer that fits 64 bits ("-1" is refused, not wrapped).
inline uint64_t parseSeed(const std::string& text) {
  if (text.empty() || text[0] == '-' || text[0] == '+')
    MNEMO_FAIL("bad --seed '" << text << "': expected a non-negative integer");
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) MNEMO_FAIL("bad --seed '" << text << "': expected a non-negative integer");
  return v;
}

}  // namespace mnemo
