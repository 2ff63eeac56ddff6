// Loading a model written in the model DSL (.mnemo files) into a forward graph.
//
// A model file declares sizes and constants, the input and the target labels, the parameters
// with their initialisers, fixed (untrained) tensors, the recurrent state with its initial value, one `step t { ... }`
// block that the frontend unrolls T times, and the loss:
//
//   model rnn
//   size I = 2, H = 64, O = 3          # T (seq_len) and B (batch) come from the run
//   const dt = 100, tau = 100
//   const alpha = dt / tau
//   input x : f32[T, B, I]
//   target labels : i64[T, B]
//   param w_ir : [I, H] = kaiming_normal(1)
//   param b_rr : [H] = uniform(-1/sqrt(H), 1/sqrt(H))
//   ...
//   state h : [B, H] = zeros
//   step t {
//     ins = x[t] @ w_ir + h @ w_rr + b_rr
//     h = relu(h * (1 - alpha) + ins * alpha)
//     out o = h @ w_ro + b_ro            # collected over steps, stacked to [T, B, O]
//   }
//   loss = cross_entropy(o, labels)
//
// docs/DSL.md is the full reference. Graph naming: inputs, targets and params keep their DSL
// names; state s starts as the constant %s_0 and is %s_{t+1} after step t; a step local v is
// %v_t and an output o is %o_t at step t. The first `out` stacked over time is always %logits
// and the loss is always %loss; with returnHidden every state is stacked over time: the first
// as %hs, the others as %hs.<state>.
// The graph returns %loss, %logits, then the stacked states (if asked), then further outputs.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace mnemo {

/// What the run decides about a model: its batch and sequence length, and size overrides.
struct ModelOptions {
  int64_t batch = 16;    // B
  int64_t seqLen = 100;  // T
  /// Replaces the value of a declared `size` (e.g. {"H", 128} for --hidden 128). Naming a size
  /// the model does not declare is an error.
  std::map<std::string, int64_t> sizeOverrides;
  /// Replaces the value of a declared `const` (e.g. {"tau", 50}); unknown names are errors.
  std::map<std::string, double> constOverrides;
  /// Also return every state stacked over time: the first as %hs f32[T,B,H], each further
  /// state s as %hs.s (stateOutputName).
  bool returnHidden = false;
  /// Draw the model's randn(...) / rand(...) noise (false: randn is 0 and rand 0.5, for an
  /// analysis or evaluation without noise).
  bool noise = true;
};

/// The graph name of the i64[2] state [seed, counter] that a model's random draws (randn, rand)
/// read; Session::setRandomSeed binds it and every training step advances the counter.
constexpr const char* kRandomSeedName = "random.seed";

/// A loaded model: the forward graph and the DSL names of its parts.
struct Model {
  std::unique_ptr<Graph> graph;
  std::string name;                 ///< the model's name (also the graph's name)
  std::string input;                ///< the first input (graph node of the same name)
  std::vector<std::string> inputs;  ///< every input, in declaration order
  std::string labels;               ///< the target (graph node of the same name)
  std::string loss = "loss";        ///< graph node of the loss, f32[]
  std::string logits;               ///< DSL name of the first `out`; in the graph it is %logits
  std::string hidden;               ///< DSL name of the first state; stacked as %hs if asked
  std::vector<std::string> states;  ///< every state, in declaration order
  std::vector<std::string> params;  ///< every trained param, in declaration order
  std::vector<std::string> fixed;   ///< every fixed tensor (a param node that is not trained)
  /// Every top-level derived tensor (`name = expr` outside the step), in file order: e.g. the
  /// effective weights abs(w_rr) * sign of a Dale network (analysis/weights.h).
  std::vector<std::string> derived;
  std::map<std::string, int64_t> sizes;  ///< every size after overrides, T and B included
  std::map<std::string, double> consts;  ///< every constant after overrides
};

/// The graph output holding state \p state of \p model stacked over time when
/// ModelOptions::returnHidden is set: "hs" for the first state, "hs.<state>" for the others.
std::string stateOutputName(const Model& model, const std::string& state);

/// Parses and unrolls model text \p text (\p file names it in diagnostics). Every problem
/// throws mnemo::Error "FILE:line:col: message".
Model parseModel(const std::string& text, const std::string& file, const ModelOptions& opts = {});
/// Reads the model file at \p path and parses it.
Model loadModelFile(const std::string& path, const ModelOptions& opts = {});

/// The notebook's rate RNN: the bytes of examples/notebook_rnn.mnemo, compiled into mnemo at
/// build time so that `mnemo train` works from any directory.
const std::string& notebookModelSource();
/// The file name diagnostics use for notebookModelSource().
constexpr const char* kNotebookModelFile = "examples/notebook_rnn.mnemo";
/// parseModel(notebookModelSource(), kNotebookModelFile, opts).
Model loadNotebookModel(const ModelOptions& opts = {});

}  // namespace mnemo
