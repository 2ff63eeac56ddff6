#include "frontend/rnn_model.h"

#include <cmath>
#include <string>

#include "graph/builder.h"

namespace mnemo {

std::unique_ptr<Graph> buildNotebookRnn(const RnnConfig& cfg) {
  auto g = std::make_unique<Graph>("rnn");
  Builder b(*g);
  const int64_t T = cfg.seqLen, B = cfg.batch, I = cfg.inputs, H = cfg.hidden, O = cfg.outputs;
  const double alpha = cfg.dt / cfg.tau;
  const std::string bound = attrToString(1.0 / std::sqrt(double(H)));  // b_ro uses H too (spec)
  const std::string biasInit = "uniform(-" + bound + "," + bound + ")";

  Node* x = b.input("x", TensorType::f32({T, B, I}));
  Node* labels = b.input("labels", TensorType::i64({T, B}));
  Node* wIr = b.param("w_ir", {I, H}, "kaiming_normal(1)");
  Node* wRr = b.param("w_rr", {H, H}, "kaiming_normal(1)");
  Node* bRr = b.param("b_rr", {H}, biasInit);
  Node* wRo = b.param("w_ro", {H, O}, "kaiming_normal(1)");
  Node* bRo = b.param("b_ro", {O}, biasInit);

  Node* h = b.constant(0.0, {B, H}, "h_0");
  std::vector<Node*> outs, hs;
  for (int64_t t = 0; t < T; ++t) {
    Node* xt = b.select(x, 0, t);
    Node* ins = b.add(b.add(b.matmul(xt, wIr), b.matmul(h, wRr)), bRr);
    Node* leak = b.mul(h, b.constant(1.0 - alpha));
    Node* drive = b.mul(ins, b.constant(alpha));
    h = b.create(OpKind::Relu, {b.add(leak, drive)}, {}, "h_" + std::to_string(t + 1));
    outs.push_back(b.create(OpKind::Add, {b.matmul(h, wRo), bRo}, {}, "o_" + std::to_string(t)));
    hs.push_back(h);
  }
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
