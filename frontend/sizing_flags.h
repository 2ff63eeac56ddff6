// The command-line flags that size a model (--batch, --seq-len, --hidden, --size NAME=V), for
// the subcommands in frontend/cmd_*.cpp. Header-only because it needs Boost.Program_options,
// which only the `mnemo` executable links; library code uses ModelSizing (graph_source.h).
#pragma once

#include <boost/program_options.hpp>

#include "frontend/graph_source.h"

namespace mnemo {

/// Adds the sizing flags to \p opts, writing into \p sizing.
inline void addSizingFlags(boost::program_options::options_description& opts, ModelSizing& sizing) {
  namespace po = boost::program_options;
  opts.add_options()
      ("batch", po::value<int64_t>(&sizing.batch)->default_value(sizing.batch), "batch size B (model files)")
      ("seq-len", po::value<int64_t>(&sizing.seqLen)->default_value(sizing.seqLen), "sequence length T (model files)")
      ("hidden", po::value<int64_t>(&sizing.hidden), "hidden size: overrides the model's size H")
      ("size", po::value<std::vector<std::string>>(&sizing.sizes)->composing(),
       "NAME=VALUE: overrides any size the model declares (repeatable)");
}

/// Records in \p sizing whether any sizing flag was given on the command line (call after
/// notify).
inline void noteSizingFlags(const boost::program_options::variables_map& vm, ModelSizing& sizing) {
  for (const char* flag : {"batch", "seq-len", "hidden", "size"})
    if (vm.count(flag) && !vm[flag].defaulted()) sizing.given = true;
}

}  // namespace mnemo
