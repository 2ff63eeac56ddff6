// Model: the source of a model in mnemo's model language (docs/DSL.md) — the built-in notebook
// RNN, a .mnemo file or text — checked when it is made, and its compiled graph for inspection.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace mnemo::api {

/// How a model is sized and compiled for inspection (Model::graphText).
struct CompileOptions {
  int64_t batch = 16;                     ///< B
  int64_t seqLen = 100;                   ///< T (steps unrolled)
  std::map<std::string, int64_t> sizes;   ///< overrides of declared sizes, e.g. {"H", 128}
  bool train = true;                      ///< the training graph (fwd, bwd, Adam) or inference only
  bool fuse = true;                       ///< the optimizing passes (false: one kernel per op)
};

enum class GraphFormat { IrText, Dot };

class Model {
 public:
  /// The notebook's rate RNN (examples/notebook_rnn.mnemo), built into mnemo.
  static Model notebook();
  /// Reads and checks a .mnemo file.
  static Model fromFile(const std::string& path);
  /// Checks model text; \p file names it in error messages ("file:line:col: ...").
  static Model fromText(const std::string& text, const std::string& file = "<text>");

  const std::string& source() const { return source_; }
  const std::string& file() const { return file_; }
  /// The name the model declares (`model rnn`).
  const std::string& name() const { return name_; }
  /// The declared sizes (before any override; T and B are the run's).
  const std::map<std::string, int64_t>& sizes() const { return sizes_; }

  /// The graph after the optimizing pipeline, as IR text (.gir) or Graphviz DOT.
  std::string graphText(const CompileOptions& options = {}, GraphFormat format = GraphFormat::IrText) const;

 private:
  Model(std::string source, std::string file);
  std::string source_, file_, name_;
  std::map<std::string, int64_t> sizes_;
};

}  // namespace mnemo::api
