// The model DSL: parsing, unrolling, naming, overrides, every error with its file:line:col, the
// notebook model unrolling to the golden IR of its hand-built graph, and the GRU example running
// forward.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

#include "frontend/init.h"
#include "frontend/dsl/model.h"
#include "training/rnn_model.h"
#include "support/error.h"
#include "frontend/ir/parser.h"
#include "graph/printer.h"
#include "graph/passes/verifier.h"
#include "runtime/reference/evaluator.h"

using namespace mnemo;

namespace {

std::string readSource(const std::string& rel) {
  std::ifstream in(std::string(MNEMO_SOURCE_DIR) + "/" + rel, std::ios::binary);
  REQUIRE(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

ModelOptions small(int64_t batch = 2, int64_t seqLen = 3) {
  ModelOptions o;
  o.batch = batch;
  o.seqLen = seqLen;
  return o;
}

/// The message of the error that parsing \p text as "m.mnemo" throws ("" if none).
std::string errorOf(const std::string& text, const ModelOptions& opts = small()) {
  try {
    parseModel(text, "m.mnemo", opts);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// A small valid model; error tests edit one line of it.
const char* kTiny = R"(model tiny
size I = 2, H = 4, O = 3
input x : f32[T, B, I]
target labels : i64[T, B]
param w_in : [I, H] = kaiming_normal(1)
param w_ro : [H, O] = kaiming_normal(1)
state h : [B, H] = zeros
step t {
  h = relu(x[t] @ w_in + h)
  out o = h @ w_ro
}
loss = cross_entropy(o, labels)
)";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("the notebook model file unrolls to the hand-built graph, node for node", "[dsl]") {
  const std::string src = readSource("examples/notebook_rnn.mnemo");
  SECTION("small sizes, against the golden IR") {
    // The golden was printed from the C++ builder's hand-built notebook graph; it pins node order,
    // names, attributes and types of the unrolled model.
    std::unique_ptr<Graph> golden = parseGraphFile(std::string(MNEMO_SOURCE_DIR) + "/tests/fixtures/models/notebook_rnn_b2_t3_h5.gir");
    ModelOptions o = small(2, 3);
    o.sizeOverrides["H"] = 5;
    o.returnHidden = true;
    Model m = parseModel(src, "examples/notebook_rnn.mnemo", o);
    CHECK(printGraph(*m.graph) == printGraph(*golden));
    CHECK(verify(*m.graph).empty());
    CHECK(m.graph->outputs().size() == 3u);
    o.returnHidden = false;
    Model plain = parseModel(src, "examples/notebook_rnn.mnemo", o);
    CHECK(plain.graph->outputs().size() == 2u);
    CHECK(plain.graph->size() + 1 == golden->size());  // all but %hs
    // buildNotebookRnn maps an RnnConfig onto the same model.
    RnnConfig c;
    c.batch = 2, c.seqLen = 3, c.hidden = 5, c.returnHidden = true;
    CHECK(printGraph(*buildNotebookRnn(c)) == printGraph(*golden));
  }
  SECTION("default sizes B=16, T=100, H=64: RnnConfig's defaults are the model's") {
    Model m = parseModel(src, "examples/notebook_rnn.mnemo", ModelOptions{});
    auto g = buildNotebookRnn(RnnConfig{});
    const std::string ir = printGraph(*m.graph);
    CHECK(ir == printGraph(*g));
    CHECK(m.graph->size() == g->size());
    CHECK(m.graph->find("logits")->type() == TensorType::f32({100, 16, 3}));
    CHECK(m.graph->find("h_100") != nullptr);
  }
  SECTION("RnnConfig's constants reach the model") {
    RnnConfig c;
    c.batch = 2, c.seqLen = 1, c.tau = 400;  // alpha = 0.25
    const std::string ir = printGraph(*buildNotebookRnn(c));
    CHECK(ir.find("constant {value=0.75} : f32[]") != std::string::npos);  // 1 - alpha
    CHECK(ir.find("constant {value=0.25} : f32[]") != std::string::npos);  // alpha
  }
  SECTION("the IR spells out the spec's cell, leak term included for alpha = 1") {
    Model m = parseModel(src, "n.mnemo", small(2, 1));
    const std::string ir = printGraph(*m.graph);
    CHECK(ir.find("%b_rr    = param {init=\"uniform(-0.125,0.125)\"} : f32[64]") != std::string::npos);
    CHECK(ir.find("%b_ro    = param {init=\"uniform(-0.125,0.125)\"} : f32[3]") != std::string::npos);
    CHECK(ir.find("%w_rr    = param {init=\"kaiming_normal(1)\"} : f32[64,64]") != std::string::npos);
    CHECK(ir.find("%h_0     = constant {value=0.0} : f32[2,64]") != std::string::npos);
    CHECK(ir.find("constant {value=0.0} : f32[]") != std::string::npos);  // 1 - alpha
    CHECK(ir.find("constant {value=1.0} : f32[]") != std::string::npos);  // alpha
    CHECK(ir.find("%h_1     = relu(") != std::string::npos);
    CHECK(ir.find("%loss    = softmax_xent(") != std::string::npos);
    CHECK(ir.find("return %loss, %logits") != std::string::npos);
  }
}

TEST_CASE("the compiled-in notebook model is examples/notebook_rnn.mnemo", "[dsl]") {
  CHECK(notebookModelSource() == readSource("examples/notebook_rnn.mnemo"));
  Model m = loadNotebookModel(small());
  CHECK(m.name == "rnn");
  CHECK(m.input == "x");
  CHECK(m.inputs == std::vector<std::string>{"x"});
  CHECK(m.labels == "labels");
  CHECK(m.loss == "loss");
  CHECK(m.logits == "o");
  CHECK(m.hidden == "h");
  CHECK(m.params == std::vector<std::string>{"w_ir", "w_rr", "b_rr", "w_ro", "b_ro"});
  CHECK(m.sizes == std::map<std::string, int64_t>{{"T", 3}, {"B", 2}, {"I", 2}, {"H", 64}, {"O", 3}});
  CHECK(m.consts.at("alpha") == 1.0);
  CHECK(m.graph->find("x")->type() == TensorType::f32({3, 2, 2}));
  CHECK(m.graph->find("labels")->type() == TensorType::i64({3, 2}));
}

TEST_CASE("the unrolled notebook model computes the spec's forward pass", "[dsl]") {
  ModelOptions o = small(2, 4);
  o.sizeOverrides["H"] = 3;
  o.constOverrides["tau"] = 400;  // alpha = 0.25, so the leak term matters
  Model m = loadNotebookModel(o);
  const int64_t T = 4, B = 2, I = 2, H = 3, O = 3;
  ReferenceEvaluator ev(*m.graph);
  ev.bindRandom(7);
  ev.run(Stage::Fwd);
  auto at = [&](const char* n) { return ev.value(n).data; };
  const auto x = at("x"), y = at("labels"), wIr = at("w_ir"), wRr = at("w_rr"), bRr = at("b_rr"), wRo = at("w_ro"),
             bRo = at("b_ro");
  const double alpha = 0.25;
  std::vector<double> h(B * H, 0.0);
  double lossSum = 0;
  for (int64_t t = 0; t < T; ++t) {
    std::vector<double> nh(B * H);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t j = 0; j < H; ++j) {
        double ins = bRr[j];
        for (int64_t i = 0; i < I; ++i) ins += x[(t * B + b) * I + i] * wIr[i * H + j];
        for (int64_t k = 0; k < H; ++k) ins += h[b * H + k] * wRr[k * H + j];
        nh[b * H + j] = std::max(0.0, h[b * H + j] * (1 - alpha) + ins * alpha);
      }
    h = nh;
    for (int64_t b = 0; b < B; ++b) {
      double o[O], mx = -1e300, z = 0;
      for (int64_t c = 0; c < O; ++c) {
        o[c] = bRo[c];
        for (int64_t k = 0; k < H; ++k) o[c] += h[b * H + k] * wRo[k * O + c];
        CHECK(ev.value("logits").data[(t * B + b) * O + c] == Approx(o[c]).epsilon(1e-12));
        mx = std::max(mx, o[c]);
      }
      for (int64_t c = 0; c < O; ++c) z += std::exp(o[c] - mx);
      lossSum += mx + std::log(z) - o[static_cast<int64_t>(y[t * B + b])];
    }
  }
  CHECK(ev.value("loss").data[0] == Approx(lossSum / (T * B)).epsilon(1e-12));
}

TEST_CASE("size and constant overrides", "[dsl]") {
  const std::string src = readSource("examples/notebook_rnn.mnemo");
  ModelOptions o = small();
  o.sizeOverrides["H"] = 128;
  Model m = parseModel(src, "n.mnemo", o);
  CHECK(m.sizes.at("H") == 128);
  CHECK(m.graph->find("w_rr")->type() == TensorType::f32({128, 128}));
  CHECK(m.graph->find("b_ro")->attr<std::string>("init") == "uniform(-0.08838834764831843,0.08838834764831843)");
  RnnConfig c;
  c.batch = 2, c.seqLen = 3, c.hidden = 128;
  CHECK(printGraph(*m.graph) == printGraph(*buildNotebookRnn(c)));

  ModelOptions bad = small();
  bad.sizeOverrides["Q"] = 4;
  CHECK(errorOf(src, bad) == "m.mnemo:4:1: size override 'Q': model 'rnn' declares no size 'Q' (its sizes: I, H, O)");
  bad.sizeOverrides = {{"T", 4}};
  CHECK(errorOf(src, bad).rfind("m.mnemo:4:1: size override 'T': T and B are set by the run", 0) == 0);
  bad.sizeOverrides = {{"H", 0}};
  CHECK(errorOf(src, bad) == "m.mnemo:4:1: size override 'H' must be positive, got 0");
  bad.sizeOverrides.clear();
  bad.constOverrides["beta"] = 1;
  CHECK(errorOf(src, bad) == "m.mnemo:4:1: constant override 'beta': model 'rnn' declares no constant 'beta' "
                             "(its constants: dt, tau, alpha)");
}

TEST_CASE("a model with constants, continuation lines, two outputs and a regularised loss", "[dsl]") {
  ModelOptions o = small(2, 3);
  o.returnHidden = true;
  Model m = loadModelFile(std::string(MNEMO_SOURCE_DIR) + "/tests/fixtures/models/leaky_two_outputs.mnemo", o);
  const Graph& g = *m.graph;
  CHECK(verify(g).empty());
  CHECK(m.consts.at("alpha") == 0.25);
  CHECK(m.logits == "z");
  CHECK(m.hidden == "r");
  CHECK(m.input == "u");
  CHECK(m.labels == "y");
  CHECK(g.find("w_in")->attr<std::string>("init") == "normal(0.5)");
  CHECK(g.find("w_rec")->attr<std::string>("init") == "kaiming_normal(2)");
  CHECK(g.find("r_0")->attr<double>("value") == 0.1);
  CHECK(g.find("drive_2") != nullptr);
  CHECK(g.find("r_3") != nullptr);
  // Outputs: loss, logits (the first out, z), hs (the state r), then the second out.
  REQUIRE(g.outputs().size() == 4);
  CHECK(g.outputs()[0]->name() == "loss");
  CHECK(g.outputs()[0]->kind() == OpKind::Add);
  CHECK(g.outputs()[1]->name() == "logits");
  CHECK(g.outputs()[1]->type() == TensorType::f32({3, 2, 2}));
  CHECK(g.outputs()[2]->name() == "hs");
  CHECK(g.outputs()[2]->type() == TensorType::f32({3, 2, 5}));
  CHECK(g.outputs()[3]->name() == "rate");
  CHECK(g.outputs()[3]->type() == TensorType::f32({3, 2, 5}));
  // 0.01 * mean(rate): mean over every axis.
  CHECK(printGraph(g).find("reduce_mean(%rate) {axes=[0,1,2]} : f32[]") != std::string::npos);
}

TEST_CASE("constant arithmetic is folded and indices select along the leading axes", "[dsl]") {
  Model m = parseModel(R"(model fold
size I = 2, H = 2 * 3 - 2, O = 3
const a = -(1 + 2) * 2 / 4, b = sqrt(H) + exp(0) + relu(-3) + square(2)
input x : f32[T, B, I]
target labels : i64[T, B]
param w : [I, H] = constant(a)
param v : [H, O] = uniform(-b, b)
param w0 : [B, I] = zeros
state h : [B, H] = ones
step t {
  first = x[0, 1]               # x[0][1]: f32[I]
  h = h + x[t] @ w - b + sum(first)
  out o = h @ v
}
loss = cross_entropy(o, labels) * 1
)", "f.mnemo", small(2, 2));
  CHECK(m.sizes.at("H") == 4);
  CHECK(m.consts.at("a") == -1.5);
  CHECK(m.consts.at("b") == 7.0);  // 2 + 1 + 0 + 4
  const Graph& g = *m.graph;
  CHECK(g.find("w")->attr<std::string>("init") == "constant(-1.5)");
  CHECK(g.find("v")->attr<std::string>("init") == "uniform(-7,7)");
  CHECK(g.find("h_0")->attr<double>("value") == 1.0);
  Node* first = g.find("first_1");
  REQUIRE(first != nullptr);
  CHECK(first->type() == TensorType::f32({2}));
  CHECK(first->operand(0)->kind() == OpKind::Select);
  CHECK(first->operand(0)->attr<int64_t>("index") == 0);
  CHECK(first->attr<int64_t>("index") == 1);
}

TEST_CASE("model errors are reported as file:line:col: message", "[dsl]") {
  REQUIRE(errorOf(kTiny).empty());
  SECTION("syntax") {
    CHECK(errorOf(replaced(kTiny, "[I, H] = kaiming", "[I, H = kaiming")) ==
          "m.mnemo:5:20: expected ']' to close the shape, got '='");
    CHECK(errorOf(replaced(kTiny, "relu(x[t]", "relu(x[t] $")) == "m.mnemo:9:17: unexpected character '$'");
    CHECK(errorOf(replaced(kTiny, "out o = h @ w_ro", "out o = h @ w_ro w")) ==
          "m.mnemo:10:20: expected the end of the statement, got 'w'");
    CHECK(errorOf(replaced(kTiny, "model tiny", "modle tiny")) ==
          "m.mnemo:1:1: expected 'model NAME' at the top of the file, got 'modle'");
    CHECK(errorOf(replaced(kTiny, "}\n", "")).rfind("m.mnemo:12:1: unexpected end of file: expected '}'", 0) == 0);
    CHECK(errorOf(replaced(kTiny, "param w_in", "param step")) ==
          "m.mnemo:5:7: 'step' is a keyword and cannot be a param name");
  }
  SECTION("unknown identifier") {
    CHECK(errorOf(replaced(kTiny, "x[t] @ w_in", "x[t] @ w_inn")) == "m.mnemo:9:19: unknown identifier 'w_inn'");
    CHECK(errorOf(replaced(kTiny, "[B, H] = zeros", "[B, K] = zeros")) == "m.mnemo:7:15: unknown identifier 'K'");
    CHECK(errorOf(replaced(kTiny, "cross_entropy(o, labels)", "cross_entropy(o, h_new)")) ==
          "m.mnemo:12:25: unknown identifier 'h_new'");
    const std::string usesLocal = replaced(replaced(kTiny, "h = relu(x[t] @ w_in + h)", "a = x[t] @ w_in\n  h = relu(a + h)"),
                                           "cross_entropy(o, labels)", "cross_entropy(o, labels) + mean(a)");
    CHECK(errorOf(usesLocal) == "m.mnemo:13:40: unknown identifier 'a' (it is local to the step block)");
  }
  SECTION("unknown function") {
    CHECK(errorOf(replaced(kTiny, "relu(", "softsign(")).rfind("m.mnemo:9:7: unknown function 'softsign' (known: neg, relu,", 0) == 0);
    CHECK(errorOf(replaced(kTiny, "relu(x[t] @ w_in + h)", "relu(x[t] @ w_in, h)")) ==
          "m.mnemo:9:7: relu() takes 1 argument(s), got 2");
  }
  SECTION("shape mismatch, located at the operator") {
    CHECK(errorOf(replaced(kTiny, "param w_ro : [H, O]", "param w_ro : [O, H]")) ==
          "m.mnemo:10:13: op 'matmul' (%h_1: f32[2,4], %w_ro: f32[3,4]): inner dimensions differ: 4 vs 3");
    CHECK(errorOf(replaced(kTiny, "relu(x[t] @ w_in + h)", "relu(x[t] @ w_in + w_ro)"))
              == "m.mnemo:9:24: op 'add' (%1: f32[2,4], %w_ro: f32[4,3]): shapes [2,4] and [4,3] do not broadcast");
    CHECK(errorOf(replaced(kTiny, "x[t]", "x[t + 1]"))== "m.mnemo:9:13: op 'select' (%x: f32[3,2,2]): index 3 is out of range for axis 0 of f32[3,2,2]");
    CHECK(errorOf(replaced(kTiny, "h = relu(x[t] @ w_in + h)", "h = x[t] @ w_in @ w_ro")) ==
          "m.mnemo:9:3: state 'h' is f32[2,4] but the step assigns it f32[2,3]");
    CHECK(errorOf(replaced(kTiny, "cross_entropy(o, labels)", "o")) ==
          "m.mnemo:12:1: the loss must be computed by this expression, not name another value (%logits)");
    CHECK(errorOf(replaced(kTiny, "cross_entropy(o, labels)", "o * 2")) ==
          "m.mnemo:12:1: the loss must be a scalar f32[], got f32[3,2,3]");
    CHECK(errorOf(replaced(kTiny, "cross_entropy(o, labels)", "cross_entropy(o, x)"))
              .rfind("m.mnemo:12:8: cross_entropy(logits, labels): logits f32[3,2,3] and labels f32[3,2,2] do not match", 0) == 0);
  }
  SECTION("redefinition") {
    CHECK(errorOf(replaced(kTiny, "param w_ro : [H, O]", "param w_in : [H, O]")) ==
          "m.mnemo:6:7: redefinition of 'w_in' (a param defined at 5:7)");
    CHECK(errorOf(replaced(kTiny, "size I = 2", "size T = 2")) ==
          "m.mnemo:2:6: redefinition of 'T': it is predefined (the sequence length)");
    CHECK(errorOf(replaced(kTiny, "out o = h @ w_ro", "out o = h @ w_ro\n  out o = h @ w_ro")) ==
          "m.mnemo:11:7: redefinition of 'o' (first defined at 10:7)");
    CHECK(errorOf(replaced(kTiny, "h = relu(x[t] @ w_in + h)", "h = relu(x[t] @ w_in + h)\n  h = relu(h)")) ==
          "m.mnemo:10:3: state 'h' is updated twice in the step block (first at 9:3)");
    CHECK(errorOf(replaced(kTiny, "h = relu(x[t] @ w_in + h)", "w_in = relu(x[t] @ w_in + h)")) ==
          "m.mnemo:9:3: cannot assign to param 'w_in' in the step block (only states are updated; pick a new name for a local)");
    CHECK(errorOf(std::string(kTiny) + "loss = cross_entropy(o, labels)\n") ==
          "m.mnemo:13:1: redefinition of 'loss' (a value defined at 12:1)");
    CHECK(errorOf(replaced(kTiny, "param w_ro", "param logits")) ==
          "m.mnemo:6:7: 'logits' is reserved for a graph output and cannot be declared");
  }
  SECTION("missing parts") {
    CHECK(errorOf(replaced(kTiny, "loss = cross_entropy(o, labels)\n", "")) ==
          "m.mnemo:12:1: model 'tiny' has no loss (add 'loss = cross_entropy(o, labels)')");
    const std::string noInput =
        replaced(replaced(kTiny, "input x : f32[T, B, I]\n", ""), "relu(x[t] @ w_in + h)", "relu(h)");
    CHECK(errorOf(noInput) == "m.mnemo:12:1: model 'tiny' declares no input (e.g. 'input x : f32[T, B, I]')");
    CHECK(errorOf(replaced(kTiny, "out o = h @ w_ro", "o = h @ w_ro")) ==
          "m.mnemo:8:1: the step block has no output (add the readout, e.g. 'out o = h @ w_ro + b_ro')");
    CHECK(errorOf(replaced(kTiny, "target labels : i64[T, B]\n", ""))== "m.mnemo:11:25: unknown identifier 'labels'");
  }
  SECTION("bad initialiser") {
    CHECK(errorOf(replaced(kTiny, "kaiming_normal(1)\nparam w_ro", "glorot(1)\nparam w_ro"))
              .rfind("m.mnemo:5:23: bad initialiser for param 'w_in': unknown initialiser 'glorot' (known: zeros,", 0) == 0);
    CHECK(errorOf(replaced(kTiny, "kaiming_normal(1)\nparam w_ro", "uniform(1, -1)\nparam w_ro")) ==
          "m.mnemo:5:23: bad initialiser for param 'w_in': uniform(lo, hi) needs lo < hi, got lo = 1, hi = -1");
    CHECK(errorOf(replaced(kTiny, "kaiming_normal(1)\nparam w_ro", "kaiming_normal\nparam w_ro")) ==
          "m.mnemo:5:23: bad initialiser for param 'w_in': kaiming_normal takes 1 argument(s), got 0");
    CHECK(errorOf(replaced(kTiny, "param w_in : [I, H]", "param w_in : [H]")) ==
          "m.mnemo:5:20: bad initialiser for param 'w_in': kaiming_normal needs a param of rank >= 2 (in, out), got shape [4]");
    CHECK(errorOf(replaced(kTiny, "kaiming_normal(1)\nparam w_ro", "0.5\nparam w_ro")).rfind(
              "m.mnemo:5:23: bad initialiser for param 'w_in': expected zeros, ones, constant(v),", 0) == 0);
    CHECK(errorOf(replaced(kTiny, "kaiming_normal(1)\nparam w_ro", "normal(x)\nparam w_ro")) ==
          "m.mnemo:5:30: an initialiser argument must be a constant number, got a tensor f32[3,2,2]");
    CHECK(errorOf(replaced(kTiny, "= zeros", "= w_ro")) ==
          "m.mnemo:7:20: bad initial value for state 'h': f32[4,3] does not broadcast to its type f32[2,4] (expected "
          "zeros, ones, a number or a tensor that broadcasts, e.g. a param h0 : [H])");
  }
  SECTION("sizes and constants") {
    CHECK(errorOf(replaced(kTiny, "H = 4", "H = 4.5")) == "m.mnemo:2:17: size 'H' must be a positive integer, got 4.5");
    CHECK(errorOf(replaced(kTiny, "H = 4", "H = I / 0")) == "m.mnemo:2:19: division by zero in a constant expression");
    CHECK(errorOf(replaced(kTiny, "[B, H] = zeros", "[B, H - 4] = zeros")) ==
          "m.mnemo:7:17: a dimension must be a positive integer, got 0");
  }
}

TEST_CASE("model files report their own path, a missing file is an error", "[dsl]") {
  const std::string path = std::string(MNEMO_SOURCE_DIR) + "/tests/fixtures/models/bad_shape.mnemo";
  try {
    loadModelFile(path, small());
    FAIL("bad_shape.mnemo loaded");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == path + ":11:13: op 'matmul' (%h_1: f32[2,4], %w_ro: f32[3,4]): "
                                          "inner dimensions differ: 4 vs 3");
  }
  CHECK_THROWS_WITH(loadModelFile("/nonexistent/m.mnemo"), "/nonexistent/m.mnemo: cannot open file");
}

TEST_CASE("the GRU example builds, verifies and runs forward with a finite loss", "[dsl]") {
  Model m = loadModelFile(std::string(MNEMO_SOURCE_DIR) + "/examples/gru.mnemo", small(4, 6));
  const Graph& g = *m.graph;
  CHECK(verify(g).empty());
  CHECK(m.name == "gru");
  CHECK(m.params.size() == 12);
  CHECK(g.find("z_0")->kind() == OpKind::Sigmoid);
  CHECK(g.find("r_5")->kind() == OpKind::Sigmoid);
  CHECK(g.find("cand_0")->kind() == OpKind::Tanh);
  CHECK(g.find("h_6")->kind() == OpKind::Add);
  CHECK(g.find("h_6")->type() == TensorType::f32({4, 64}));
  CHECK(g.find("logits")->type() == TensorType::f32({6, 4, 3}));

  ReferenceEvaluator ev(g);
  for (const auto& [name, values] : initParams(g, 42)) {
    RefTensor t(g.find(name)->type());
    for (size_t i = 0; i < values.size(); ++i) t[i] = values[i];
    ev.bind(name, t);
  }
  ev.bindRandom(3);  // x and labels
  ev.run(Stage::Fwd);
  const double loss = ev.value("loss").data[0];
  CHECK(std::isfinite(loss));
  CHECK(loss > 0.5);  // near ln 3 for a fresh network with small readout weights
  CHECK(loss < 2.0);
  // h stays in (-1, 1): a convex mix of the previous h and a tanh.
  for (double v : ev.value("h_6").data) CHECK(std::abs(v) < 1.0);
}
