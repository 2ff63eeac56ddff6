// Where a command's graph comes from: an IR file (.gir, fixed shapes), a model file (.mnemo,
// sized by the run) or the model built into mnemo ("notebook"). `mnemo dump`, `mnemo bench` and
// later commands load graphs through here so that they all accept the same files and flags.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "frontend/dsl/model.h"
#include "graph/graph.h"

namespace mnemo {

/// The name that selects the notebook model compiled into mnemo instead of a file.
constexpr const char* kBuiltinNotebook = "notebook";

/// How the run sizes a model: the command-line flags --batch, --seq-len, --hidden, --size, and
/// the constant overrides of --set.
struct ModelSizing {
  int64_t batch = 16;               ///< B
  int64_t seqLen = 100;             ///< T
  std::optional<int64_t> hidden;    ///< overrides size H when given
  std::vector<std::string> sizes;   ///< further overrides, each "NAME=VALUE"
  std::vector<std::string> sets;    ///< constant overrides (--set), each "NAME=VALUE"
  /// True if any of the above was given explicitly (an IR file cannot be resized, so giving
  /// them with a .gir file is an error rather than silently ignored).
  bool given = false;
};

/// A loaded forward graph and what is known about where it came from.
struct GraphSource {
  std::unique_ptr<Graph> graph;
  bool isModel = false;                  ///< from the model DSL (so the sizes below are known)
  std::string path;                      ///< the file, or "notebook"
  std::map<std::string, int64_t> sizes;  ///< a model's sizes after overrides (T and B included)
  /// One line for reports: "model rnn (examples/notebook_rnn.mnemo) B=16 H=64 I=2 O=3 T=100".
  std::string describe() const;
};

/// "NAME=VALUE" of --set: a constant's name and a finite number; throws mnemo::Error otherwise.
std::pair<std::string, double> parseConstOverride(const std::string& text);

/// Checks \p sizing and turns it into the DSL's options; throws mnemo::Error naming the bad
/// value (a non-positive size, "NAME=VALUE" that does not parse).
ModelOptions modelOptions(const ModelSizing& sizing);

/// Loads \p path: "*.gir" is parsed as IR text, "*.mnemo" is parsed and unrolled with
/// \p sizing, and "notebook" is the built-in notebook model. The graph is verified. Throws
/// mnemo::Error for another extension, an unreadable file, a bad graph or sizing flags given
/// with an IR file.
GraphSource loadGraphSource(const std::string& path, const ModelSizing& sizing = {});

}  // namespace mnemo
