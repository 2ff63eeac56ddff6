// The autodiff pass: what it appends (stage, names, outputs, IR text), accumulation over several
// uses, un-broadcasting, needed-path pruning, linear growth in T and its error messages. The
// numerical checks against central differences are in test_grad_check.cpp.
#include <catch2/catch.hpp>

#include <map>

#include "training/rnn_model.h"
#include "ops/builder.h"
#include "support/error.h"
#include "frontend/ir/parser.h"
#include "graph/passes/adam.h"
#include "graph/passes/autodiff.h"
#include "graph/printer.h"
#include "graph/passes/verifier.h"
#include "runtime/reference/evaluator.h"

using namespace mnemo;

namespace {

Node* sumAll(Builder& b, Node* x, const std::string& name = "loss") {
  std::vector<int64_t> axes;
  for (int a = 0; a < x->type().rank(); ++a) axes.push_back(a);
  return b.create(OpKind::ReduceSum, {x}, {{"axes", axes}}, name);
}

std::vector<Node*> stageNodes(const Graph& g, Stage s) {
  std::vector<Node*> out;
  for (Node* n : g.nodes())
    if (n->stage() == s) out.push_back(n);
  return out;
}

int countKind(const std::vector<Node*>& nodes, OpKind k) {
  int c = 0;
  for (Node* n : nodes) c += n->kind() == k;
  return c;
}

std::unique_ptr<Graph> rnn(int64_t T, int64_t B, int64_t H) {
  RnnConfig cfg;
  cfg.seqLen = T;
  cfg.batch = B;
  cfg.hidden = H;
  return buildNotebookRnn(cfg);
}

}  // namespace

TEST_CASE("autodiff appends a named, verified bwd stage that round-trips as IR text", "[autodiff]") {
  auto g = rnn(3, 2, 4);
  const std::vector<Node*> fwd = g->nodes();
  const std::vector<Node*> outputs = g->outputs();
  Node* loss = g->find("loss");
  AutodiffResult ad = autodiff(*g, loss);

  const char* names[] = {"w_ir", "w_rr", "b_rr", "w_ro", "b_ro"};
  REQUIRE(ad.params.size() == 5);
  for (size_t i = 0; i < 5; ++i) {
    CHECK(ad.params[i]->name() == names[i]);  // graph order by default
    CHECK(ad.grads[i]->name() == std::string("grad.") + names[i]);
    CHECK(ad.grads[i]->type() == ad.params[i]->type());
    CHECK(ad.gradientOf(names[i]) == ad.grads[i]);
  }
  CHECK_THROWS_AS(ad.gradientOf("x"), Error);

  // The forward nodes are untouched and first; everything new is stage bwd.
  std::vector<Node*> all = g->nodes();
  REQUIRE(all.size() == fwd.size() + static_cast<size_t>(ad.nodesAdded));
  CHECK(std::vector<Node*>(all.begin(), all.begin() + fwd.size()) == fwd);
  for (size_t i = fwd.size(); i < all.size(); ++i) CHECK(all[i]->stage() == Stage::Bwd);
  CHECK(g->outputs() == outputs);

  // The seed is dL/dL = 1 and the fused loss gradient is used, not a softmax backward.
  Node* seed = g->find("grad.loss");
  REQUIRE(seed);
  CHECK(seed->kind() == OpKind::Constant);
  CHECK(seed->attrs().getFloat("value") == 1.0);
  CHECK(seed->type() == TensorType::f32({}));
  std::vector<Node*> bwd = stageNodes(*g, Stage::Bwd);
  CHECK(countKind(bwd, OpKind::SoftmaxXentGrad) == 1);
  CHECK(countKind(bwd, OpKind::ReluGrad) == 3);
  CHECK(g->find("grad.h_2") != nullptr);
  CHECK(g->find("grad.logits") != nullptr);

  CHECK(verify(*g).empty());
  std::string text = printGraph(*g);
  CHECK(text.find(".stage bwd") != std::string::npos);
  auto parsed = parseGraph(text);
  CHECK(printGraph(*parsed) == text);
  CHECK(verify(*parsed).empty());
}

TEST_CASE("autodiff can return the gradients as outputs", "[autodiff]") {
  auto g = rnn(2, 2, 3);
  AutodiffOptions opts;
  opts.returnGradients = true;
  AutodiffResult ad = autodiff(*g, g->find("loss"), {g->find("w_rr"), g->find("b_ro")}, opts);
  REQUIRE(g->outputs().size() == 4);
  CHECK(g->outputs()[2] == ad.grads[0]);
  CHECK(g->outputs()[3] == ad.grads[1]);
  CHECK(g->outputs()[2]->name() == "grad.w_rr");
  std::string text = printGraph(*g);
  CHECK(text.find("return %loss, %logits, %grad.w_rr, %grad.b_ro") != std::string::npos);
  CHECK(printGraph(*parseGraph(text)) == text);
}

TEST_CASE("a value with several uses accumulates its gradient contributions with add", "[autodiff]") {
  // loss = sum(w*w*r + w): dloss/dw = 2 w r + 1, from three uses of %w.
  Graph g("fanout");
  Builder b(g);
  Node* w = b.param("w", {4});
  Node* r = b.input("r", TensorType::f32({4}));
  Node* loss = sumAll(b, b.add(b.mul(b.mul(w, w), r), w));
  AutodiffResult ad = autodiff(g, loss);
  REQUIRE(ad.grads.size() == 1);
  CHECK(ad.grads[0]->kind() == OpKind::Add);
  CHECK(countKind(stageNodes(g, Stage::Bwd), OpKind::Add) == 2);  // 3 contributions, 2 adds

  ReferenceEvaluator ev(g);
  const std::vector<double> wv = {0.5, -1.5, 2.0, 0.25}, rv = {1.0, 2.0, -0.5, 3.0};
  ev.bind("w", RefTensor(w->type(), wv));
  ev.bind("r", RefTensor(r->type(), rv));
  ev.run(Stage::Bwd);
  const RefTensor& gw = ev.value(ad.grads[0]);
  for (size_t i = 0; i < 4; ++i) CHECK(gw[i] == Approx(2 * wv[i] * rv[i] + 1).epsilon(1e-14));
}

TEST_CASE("a broadcast operand's gradient is summed back to its own shape", "[autodiff]") {
  // y = (x + b) * c with x: [3,4], b: [4], c: [3,1]; loss = sum(y * r).
  Graph g("bcast");
  Builder b(g);
  Node* x = b.input("x", TensorType::f32({3, 4}));
  Node* bias = b.param("b", {4});
  Node* c = b.param("c", {3, 1});
  Node* r = b.input("r", TensorType::f32({3, 4}));
  Node* loss = sumAll(b, b.mul(b.mul(b.add(x, bias), c), r));
  AutodiffResult ad = autodiff(g, loss);
  Node* gb = ad.gradientOf("b");
  Node* gc = ad.gradientOf("c");
  CHECK(gb->type() == TensorType::f32({4}));
  CHECK(gb->kind() == OpKind::ReduceSum);
  CHECK(gb->attrs().getInts("axes") == std::vector<int64_t>{0});
  CHECK(gc->type() == TensorType::f32({3, 1}));
  CHECK(verify(g).empty());

  ReferenceEvaluator ev(g);
  ev.bindRandom(5);
  ev.run(Stage::Bwd);
  const RefTensor &xv = ev.value(x), &bv = ev.value(bias), &cv = ev.value(c), &rv = ev.value(r);
  for (int j = 0; j < 4; ++j) {
    double want = 0;
    for (int i = 0; i < 3; ++i) want += cv[i] * rv[i * 4 + j];
    CHECK(ev.value(gb)[j] == Approx(want).epsilon(1e-14));
  }
  for (int i = 0; i < 3; ++i) {
    double want = 0;
    for (int j = 0; j < 4; ++j) want += (xv[i * 4 + j] + bv[j]) * rv[i * 4 + j];
    CHECK(ev.value(gc)[i] == Approx(want).epsilon(1e-14));
  }
}

TEST_CASE("only nodes on a parameter-to-loss path are differentiated", "[autodiff]") {
  // %u = tanh(x) does not depend on %w; %acc = argmax(w*x) does not reach the loss.
  Graph g("paths");
  Builder b(g);
  Node* x = b.input("x", TensorType::f32({2, 3}));
  Node* w = b.param("w", {2, 3});
  Node* unused = b.param("unused", {5});
  Node* u = b.tanh(x);
  Node* acc = b.argmax(b.mul(w, x), 1);
  Node* loss = sumAll(b, b.mul(u, w));
  g.addOutput(loss);
  g.addOutput(acc);
  AutodiffResult ad = autodiff(g, loss);
  REQUIRE(ad.params.size() == 2);

  // seed, reshape, broadcast (reduce_sum's rule), one mul for %w; the mul for %u is pruned and
  // no tanh derivative is built.
  std::vector<Node*> bwd = stageNodes(g, Stage::Bwd);
  std::map<OpKind, int> kinds;
  for (Node* n : bwd) ++kinds[n->kind()];
  CHECK(kinds == std::map<OpKind, int>{{OpKind::Constant, 2}, {OpKind::Reshape, 1}, {OpKind::Broadcast, 1}, {OpKind::Mul, 1}});
  CHECK(ad.gradientOf(w)->kind() == OpKind::Mul);
  CHECK(ad.gradientOf(w)->operand(1) == u);
  // A parameter the loss does not read has a zero gradient.
  Node* gu = ad.gradientOf(unused);
  CHECK(gu->kind() == OpKind::Constant);
  CHECK(gu->attrs().getFloat("value") == 0.0);
  CHECK(gu->type() == unused->type());
  CHECK(gu->name() == "grad.unused");
  CHECK(verify(g).empty());
}

TEST_CASE("non-differentiable operands are skipped", "[autodiff]") {
  // softmax_xent's labels are i64 data; its rule returns no gradient for them.
  Graph g("labels");
  Builder b(g);
  Node* logits = b.param("logits", {4, 3});
  Node* labels = b.input("labels", TensorType::i64({4}));
  Node* loss = b.create(OpKind::SoftmaxXent, {logits, labels}, {}, "loss");
  AutodiffResult ad = autodiff(g, loss);
  CHECK(ad.grads[0]->kind() == OpKind::SoftmaxXentGrad);
  CHECK(labels->uses().size() == 2);  // the loss and its gradient read the labels, nothing else
}

TEST_CASE("the backward graph of the unrolled RNN grows linearly with T", "[autodiff]") {
  std::map<int64_t, int64_t> bwd, fwd;
  for (int64_t T : {25, 50, 100}) {
    auto g = rnn(T, 16, 64);
    fwd[T] = static_cast<int64_t>(g->size());
    AutodiffResult ad = autodiff(*g, g->find("loss"));
    bwd[T] = static_cast<int64_t>(stageNodes(*g, Stage::Bwd).size());
    CHECK(bwd[T] == ad.nodesAdded);
    if (T == 100) CHECK(verify(*g).empty());
  }
  INFO("bwd nodes: T=25 " << bwd[25] << ", T=50 " << bwd[50] << ", T=100 " << bwd[100]);
  const int64_t perStep25to50 = (bwd[50] - bwd[25]) / 25;
  const int64_t perStep50to100 = (bwd[100] - bwd[50]) / 50;
  CHECK(perStep25to50 == perStep50to100);
  CHECK((bwd[50] - bwd[25]) % 25 == 0);  // exactly the same number of nodes per extra step
  CHECK(bwd[100] - 100 * perStep50to100 < 20);  // a small constant part (seed, loss gradient)
  // Per step: relu_grad, the leak and drive muls, 3 matmul rules for W_ir, W_rr, h and 2 for
  // the readout, bias sums and the accumulating adds: about 1.5x the forward step.
  const int64_t fwdPerStep = (fwd[100] - fwd[50]) / 50;
  CHECK(perStep50to100 <= 2 * fwdPerStep);
  CHECK(perStep50to100 >= fwdPerStep);
}

TEST_CASE("autodiff through an op without a gradient rule names the op and the node", "[autodiff]") {
  // The labels of the loss are the argmax of the logits: argmax is on the path from %w.
  Graph g("argmax");
  Builder b(g);
  Node* w = b.param("w", {4, 3});
  Node* x = b.input("x", TensorType::f32({4, 3}));
  Node* logits = b.mul(w, x);
  Node* picked = b.argmax(logits, 1);
  Node* loss = b.create(OpKind::SoftmaxXent, {logits, picked}, {}, "loss");
  const size_t size = g.size();
  CHECK_THROWS_WITH(autodiff(g, loss), "autodiff: no gradient rule for op 'argmax' (node %" + picked->name() +
                                           ") on the path from %w to %loss");
  CHECK(g.size() == size);  // nothing was appended

  // A gradient op on the path (second-order differentiation) is refused the same way.
  Graph g2("second");
  Builder b2(g2);
  Node* v = b2.param("v", {3});
  Node* rg = b2.reluGrad(v, v);
  Node* loss2 = sumAll(b2, rg);
  CHECK_THROWS_WITH(autodiff(g2, loss2), "autodiff: no gradient rule for op 'relu_grad' (node %" + rg->name() +
                                             ") on the path from %v to %loss");
}

TEST_CASE("autodiff rejects a non-scalar loss and bad parameters", "[autodiff]") {
  auto g = rnn(2, 2, 3);
  CHECK_THROWS_WITH(autodiff(*g, g->find("logits")),
                    "autodiff: the loss %logits must be an f32[] scalar, got f32[2,2,3]");
  CHECK_THROWS_WITH(autodiff(*g, g->find("loss"), {g->find("h_1")}),
                    "autodiff: can only differentiate with respect to f32 param or input leaves, %h_1 is relu : f32[2,3]");
  CHECK_THROWS_WITH(autodiff(*g, g->find("loss"), {g->find("labels")}),
                    "autodiff: can only differentiate with respect to f32 param or input leaves, %labels is input : i64[2,2]");
  CHECK_THROWS_WITH(autodiff(*g, g->find("loss"), {g->find("w_rr"), g->find("w_rr")}),
                    "autodiff: parameter %w_rr is listed twice");

  // After the optimizer stage exists, a new bwd stage would come after it.
  autodiff(*g, g->find("loss"));
  addAdam(*g);
  CHECK_THROWS_WITH(autodiff(*g, g->find("loss")),
                    Catch::Matchers::StartsWith("autodiff: graph @rnn already has an opt stage"));
}

TEST_CASE("gradients with respect to inputs are available too", "[autodiff]") {
  // loss = sum(relu(x) * r) with x an input: dloss/dx = r where x > 0.
  Graph g("saliency");
  Builder b(g);
  Node* x = b.input("x", TensorType::f32({5}));
  Node* r = b.input("r", TensorType::f32({5}));
  Node* loss = sumAll(b, b.mul(b.relu(x), r));
  AutodiffResult ad = autodiff(g, loss, {x});
  CHECK(ad.params.size() == 1);
  ReferenceEvaluator ev(g);
  ev.bind("x", RefTensor(x->type(), {1.0, -1.0, 0.5, -0.2, 2.0}));
  ev.bind("r", RefTensor(r->type(), {3.0, 4.0, 5.0, 6.0, 7.0}));
  ev.run(Stage::Bwd);
  CHECK(ev.value(ad.grads[0]).data == std::vector<double>{3.0, 0.0, 5.0, 0.0, 7.0});
}
