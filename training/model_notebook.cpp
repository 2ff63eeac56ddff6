// The notebook's model file, compiled in: `mnemo train` runs it by default from any directory.
// This text must equal examples/notebook_rnn.mnemo byte for byte (tests/test_dsl.cpp checks).
#include "frontend/dsl/model.h"

namespace mnemo {

const std::string& notebookModelSource() {
  static const std::string text = R"mnemo(# The notebook's model ("Train RNN to Solve Parametric Working Memory"): a leaky ReLU rate RNN
# with a linear readout at every time step, trained with the mean softmax cross-entropy over all
# T*B positions on DelayComparison-v0. This is `mnemo train`'s default model.
model rnn

size I = 2, H = 64, O = 3        # T (seq_len) and B (batch) are set by the run; --hidden sets H
const dt = 100, tau = 100
const alpha = dt / tau

input x : f32[T, B, I]
target labels : i64[T, B]

param w_ir : [I, H] = kaiming_normal(1)
param w_rr : [H, H] = kaiming_normal(1)
param b_rr : [H] = uniform(-1/sqrt(H), 1/sqrt(H))
param w_ro : [H, O] = kaiming_normal(1)
param b_ro : [O] = uniform(-1/sqrt(H), 1/sqrt(H))   # the bound uses H, as the notebook does

state h : [B, H] = zeros         # reset at the start of every batch

step t {
  ins = x[t] @ w_ir + h @ w_rr + b_rr
  h = relu(h * (1 - alpha) + ins * alpha)
  out o = h @ w_ro + b_ro        # logits at step t; stacked over time to [T, B, O]
}

loss = cross_entropy(o, labels)  # mean over all T*B positions
)mnemo";
  return text;
}

Model loadNotebookModel(const ModelOptions& opts) { return parseModel(notebookModelSource(), kNotebookModelFile, opts); }

}  // namespace mnemo
