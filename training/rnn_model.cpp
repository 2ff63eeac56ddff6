// The notebook RNN through the builder API; it prints the same IR as examples/notebook_rnn.mnemo.
#include "training/rnn_model.h"

#include <cmath>
#include <string>

#include "frontend/init.h"
#include "ops/builder.h"

namespace mnemo {

std::unique_ptr<Graph> buildNotebookRnn(const RnnConfig& cfg) {
  auto g = std::make_unique<Graph>("rnn");
  Builder b(*g);
  const int64_t T = cfg.seqLen, B = cfg.batch, I = cfg.inputs, H = cfg.hidden, O = cfg.outputs;
  const double alpha = cfg.dt / cfg.tau;
  const double bound = 1.0 / std::sqrt(static_cast<double>(H));  // b_ro's bound uses H too (spec)
  const std::string weightInit = formatInitSpec({"kaiming_normal", {1.0}});
  const std::string biasInit = formatInitSpec({"uniform", {-bound, bound}});

  // One node per statement, in the order examples/notebook_rnn.mnemo evaluates them, so that
  // both print the same IR (C++ leaves the order of argument evaluation unspecified).
  Node* x = b.input("x", TensorType::f32({T, B, I}));
  Node* labels = b.input("labels", TensorType::i64({T, B}));
  Node* wIr = b.param("w_ir", {I, H}, weightInit);
  Node* wRr = b.param("w_rr", {H, H}, weightInit);
  Node* bRr = b.param("b_rr", {H}, biasInit);
  Node* wRo = b.param("w_ro", {H, O}, weightInit);
  Node* bRo = b.param("b_ro", {O}, biasInit);

  Node* h = b.constant(0.0, {B, H}, "h_0");
  std::vector<Node*> outs, hs;
  for (int64_t t = 0; t < T; ++t) {
    const std::string step = std::to_string(t);
    // ins = x[t] @ w_ir + h @ w_rr + b_rr
    Node* xt = b.select(x, 0, t);
    Node* inPart = b.matmul(xt, wIr);
    Node* recPart = b.matmul(h, wRr);
    Node* sum = b.add(inPart, recPart);
    Node* ins = b.create(OpKind::Add, {sum, bRr}, {}, "ins_" + step);
    // h = relu(h * (1 - alpha) + ins * alpha)
    Node* keep = b.constant(1.0 - alpha);
    Node* leak = b.mul(h, keep);
    Node* rate = b.constant(alpha);
    Node* drive = b.mul(ins, rate);
    Node* pre = b.add(leak, drive);
    h = b.create(OpKind::Relu, {pre}, {}, "h_" + std::to_string(t + 1));
    // out o = h @ w_ro + b_ro
    Node* read = b.matmul(h, wRo);
    outs.push_back(b.create(OpKind::Add, {read, bRo}, {}, "o_" + step));
    hs.push_back(h);
  }
  // loss = cross_entropy(o, labels): the mean over all T*B positions.
  Node* logits = b.create(OpKind::Stack, outs, {{"axis", int64_t{0}}}, "logits");
  Node* flat = b.reshape(logits, {T * B, O});
  Node* flatLabels = b.reshape(labels, {T * B});
  Node* loss = b.create(OpKind::SoftmaxXent, {flat, flatLabels}, {}, "loss");
  g->addOutput(loss);
  g->addOutput(logits);
  if (cfg.returnHidden) g->addOutput(b.create(OpKind::Stack, hs, {{"axis", int64_t{0}}}, "hs"));
  return g;
}

}  // namespace mnemo
