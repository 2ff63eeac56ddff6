// The pass interface: a named transformation of a graph that says whether it changed anything.
// The pass manager checks that claim by comparing the printed graph before and after.
#pragma once

#include <string>

#include "graph/graph.h"

namespace mnemo {

/// Context passes can read and report into (fusion explanations, notes for dumps).
struct PassContext {
  /// When set, passes that make decisions record them (e.g. refused fusions with reasons).
  bool explain = false;
  /// Lines the last pass recorded; the manager prints them as comments in that pass's dump.
  std::vector<std::string> notes;
};

class Pass {
 public:
  virtual ~Pass() = default;
  /// The name used on the command line (--disable-pass) and in dump file names.
  virtual const char* name() const = 0;
  /// Transforms \p g; \returns true if it changed the graph.
  virtual bool run(Graph& g, PassContext& ctx) = 0;
};

}  // namespace mnemo
