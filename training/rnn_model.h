// The notebook's model through the C++ builder API: a leaky ReLU rate RNN unrolled over T steps,
// a linear readout at every step and the mean softmax cross-entropy over all T*B positions
// (../shared/spec/delaycomparison.md §3).
//
//   ins_t = x_t·W_ir + h·W_rr + b_rr;  h = relu(h·(1−α) + ins_t·α);  o_t = h·W_ro + b_ro
//
// The leak term is emitted as written even when α = 1; the simplifier removes `h·0`.
#pragma once

#include <memory>

#include "graph/graph.h"

namespace mnemo {

struct RnnConfig {
  int64_t batch = 16;
  int64_t seqLen = 100;
  int64_t inputs = 2;
  int64_t hidden = 64;
  int64_t outputs = 3;
  double dt = 100;
  double tau = 100;
  /// Also return the hidden states stacked over time, %hs: f32[T,B,H] (for analysis).
  bool returnHidden = false;
};

/// Builds the forward graph: inputs %x f32[T,B,I] and %labels i64[T,B]; params %w_ir, %w_rr,
/// %b_rr, %w_ro, %b_ro with the notebook's initialisers; states %h_0 (zeros) ... %h_T, step
/// values %ins_t and %o_t; returns %loss f32[], %logits f32[T,B,O] (and %hs f32[T,B,H] when
/// asked). The IR text equals that of examples/notebook_rnn.mnemo loaded with the same sizes.
std::unique_ptr<Graph> buildNotebookRnn(const RnnConfig& cfg);

}  // namespace mnemo
