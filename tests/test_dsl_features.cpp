// The DSL's shape and masking features: slices and ranges, concat, reshape, transpose, keepdims,
// comparisons and where, fixed tensors (from an initialiser or a .npy file), a state that starts
// from a param, orthogonal and identity initialisers, mse and weighted cross-entropy. Each is
// checked as written (the ops it unrolls to), as an error with its file:line:col when misused,
// and in whole models whose gradients match central differences in the reference evaluator and
// whose training step on the runtime, fused and unfused, matches the reference.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>

#include "frontend/init.h"
#include "frontend/dsl/model.h"
#include "support/error.h"
#include "graph/passes/pass_manager.h"
#include "graph/passes/autodiff.h"
#include "graph/passes/passes.h"
#include "graph/passes/training.h"
#include "graph/passes/verifier.h"
#include "io/npz.h"
#include "model_check_util.h"
#include "runtime/reference/evaluator.h"
#include "runtime/session.h"

using namespace mnemo;
using namespace mnemo::model_check;

namespace {

std::string errorOf(const std::string& text, const std::string& file = "m.mnemo") {
  try {
    parseModel(text, file, sized(2, 3));
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// An LSTM whose four gates come from one [I, 4H] and one [H, 4H] matmul, split by ranges and by
// slice(); layer norm over the units (keepdims); the state h starts from a trained param h0; the
// readout goes through a transpose, a reshape and a concat.
const char* kSplitLstm = R"(model split_lstm
size I = 2, H = 4, O = 3
input x : f32[T, B, I]
target labels : i64[T, B]
param w_x : [I, 4 * H] = kaiming_normal(1)
param w_h : [H, 4 * H] = orthogonal
param b : [4 * H] = uniform(-0.1, 0.1)
param w_o : [2 * H, O] = kaiming_normal(1)
param w_ot : [O, 2 * H] = normal(0.3)
param h0 : [H] = uniform(-0.5, 0.5)
state h : [B, H] = h0
state c : [B, H] = zeros
step t {
  g = x[t] @ w_x + h @ w_h + b
  i = sigmoid(g[:, 0:H])
  f = sigmoid(slice(g, 1, H, H))
  o = sigmoid(g[:, 2 * H:3 * H])
  u = tanh(g[:, 3 * H:])
  c = f * c + i * u
  h = o * tanh(c)
  centred = h - mean(h, 1, keepdims)
  n = centred / sqrt(mean(square(centred), -1, keepdims) + 0.1)
  both = concat(n, reshape(transpose(h), B, H), 1)
  out y = both @ w_o + both @ transpose(w_ot)
}
loss = cross_entropy(y, labels)
)";

// A rate RNN with a fixed sign mask (a .npy file), a fixed identity matrix, comparisons and
// where, a masked cross-entropy whose fixed weights drop the first step, and an mse term. (No
// number scales a whole scalar loss term: the fused path's scalar regions mishandle constants
// today, issue 11's second crash, which the fusion work fixes.)
const char* kMasked = R"(model masked
size I = 2, H = 4, O = 3
input x : f32[T, B, I]
target labels : i64[T, B]
param w_in : [I, H] = kaiming_normal(1)
param w_rr : [H, H] = identity(0.5)
param w_o : [H, O] = kaiming_normal(1)
fixed sign : [H, H] = npy("sign.npy")
fixed eye : [H, H] = identity
fixed keep : [T, B] = ones
fixed first : [B] = zeros
step_weights = concat(reshape(first, 1, B), keep[1:, :], 0)
state h : [B, H] = zeros
step t {
  drive = x[t] @ w_in + h @ (w_rr * sign) + h @ eye * 0.1
  h = where(drive > 0, tanh(drive), 0.2 * drive) + (drive <= -1) * 0.05
  out y = h @ w_o
}
loss = cross_entropy(y, labels, step_weights) + mse(0.3 * y, 0.5) + mean(greater_equal(y, 0) * y * 0.01)
)";

/// Writes a float32 .npy of \p values with \p shape to \p path.
void writeNpy(const std::string& path, std::vector<int64_t> shape, const std::vector<float>& values) {
  std::ofstream out(path, std::ios::binary);
  out << encodeNpy(NpyArray::from<float>(std::move(shape), values));
}

/// A temporary directory holding the masked model and its sign.npy (relative paths resolve
/// against the model file's directory).
struct MaskedModelFile {
  std::string dir, path;
  MaskedModelFile() {
    char tmpl[] = "/tmp/mnemo_dsl_XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    dir = tmpl;
    path = dir + "/masked.mnemo";
    std::ofstream(path) << kMasked;
    writeNpy(dir + "/sign.npy", {4, 4}, {1, -1, 1, -1, -1, 1, -1, 1, 1, 1, -1, -1, -1, -1, 1, 1});
  }
  ~MaskedModelFile() {
    std::remove((dir + "/sign.npy").c_str());
    std::remove(path.c_str());
    std::remove(dir.c_str());
  }
};

/// Every param gradient of \p source's loss against central differences, in double precision.
void checkGradients(const std::string& source, const std::string& file) {
  Model m = parseModel(source, file, sized(3, 4));
  Graph& g = *m.graph;
  AutodiffOptions opts;
  opts.returnGradients = true;
  TrainingGraph tg;
  tg.loss = g.find("loss");
  tg.gradients = autodiff(g, tg.loss, {}, opts);
  REQUIRE(tg.gradients.params.size() == m.params.size());  // fixed tensors are not differentiated
  std::vector<float> x;
  std::vector<int64_t> labels;
  randomInputs(g, 11, x, labels);
  ReferenceEvaluator ev(g);
  bindModel(ev, g, x, labels);
  ev.run(Stage::Bwd);
  const double eps = 1e-6;
  for (size_t i = 0; i < tg.gradients.params.size(); ++i) {
    Node* p = tg.gradients.params[i];
    const RefTensor analytic = ev.value(tg.gradients.grads[i]);
    const RefTensor base = ev.value(p);
    double largest = 0;
    for (size_t k = 0; k < base.size(); ++k) {
      RefTensor shifted = base;
      shifted[k] = base[k] + eps;
      ev.bind(p->name(), shifted);
      ev.run(Stage::Fwd);
      const double up = ev.value(tg.loss)[0];
      shifted[k] = base[k] - eps;
      ev.bind(p->name(), shifted);
      ev.run(Stage::Fwd);
      const double numeric = (up - ev.value(tg.loss)[0]) / (2 * eps);
      INFO("d loss / d %" << p->name() << "[" << k << "]: autodiff " << analytic[k] << ", central difference " << numeric);
      CHECK(std::abs(analytic[k] - numeric) <= 1e-7 + 1e-5 * std::max(std::abs(analytic[k]), std::abs(numeric)));
      largest = std::max(largest, std::abs(analytic[k]));
    }
    ev.bind(p->name(), base);
    INFO("gradient of %" << p->name());
    CHECK(largest > 1e-6);  // every param, h0 included, reaches the loss
  }
}

}  // namespace

TEST_CASE("ranges, slice, concat, reshape, transpose and keepdims unroll to the shape ops", "[dsl]") {
  Model m = parseModel(kSplitLstm, "split.mnemo", sized(3, 2));
  const Graph& g = *m.graph;
  CHECK(verify(g).empty());
  const Node* i0 = g.find("i_0");
  REQUIRE(i0->operand(0)->kind() == OpKind::Slice);
  CHECK(i0->operand(0)->attrs().getInt("axis") == 1);
  CHECK(i0->operand(0)->attrs().getInt("start") == 0);
  CHECK(i0->operand(0)->attrs().getInt("size") == 4);
  CHECK(g.find("u_1")->operand(0)->attrs().getInt("start") == 12);  // g[:, 3 * H:] runs to the end
  CHECK(g.find("f_0")->operand(0)->attrs().getInt("start") == 4);
  CHECK(g.find("centred_0")->operand(1)->kind() == OpKind::Reshape);  // mean(h, 1, keepdims)
  CHECK(g.find("centred_0")->operand(1)->type() == TensorType::f32({3, 1}));
  CHECK(g.find("both_0")->kind() == OpKind::Concat);
  CHECK(g.find("both_0")->type() == TensorType::f32({3, 8}));
  // The initial state is the param broadcast to [B, H].
  CHECK(g.find("h_0")->kind() == OpKind::Broadcast);
  CHECK(g.find("h_0")->operand(0)->name() == "h0");
  CHECK(g.find("w_h")->attrs().getString("init") == "orthogonal");
  CHECK(m.fixed.empty());

  // x[t, 0:1] selects a step, then keeps the first batch row; a full range adds nothing.
  Model sel = parseModel(replaced(kSplitLstm, "g = x[t] @ w_x", "g = x[t, 0:1, :] @ w_x + x[t] @ w_x"), "s.mnemo",
                         sized(3, 2));
  const Node* rows = sel.graph->find("g_0")->operand(0)->operand(0)->operand(0)->operand(0);
  CHECK(rows->kind() == OpKind::Slice);
  CHECK(rows->type() == TensorType::f32({1, 2}));
  CHECK(rows->operand(0)->kind() == OpKind::Select);
}

TEST_CASE("comparisons, where, fixed tensors, mse and weighted cross-entropy unroll as written", "[dsl]") {
  MaskedModelFile file;
  Model m = loadModelFile(file.path, sized(2, 3));
  const Graph& g = *m.graph;
  CHECK(verify(g).empty());
  CHECK(m.fixed == std::vector<std::string>{"sign", "eye", "keep", "first"});
  CHECK(m.params == std::vector<std::string>{"w_in", "w_rr", "w_o"});
  CHECK(g.find("sign")->attrs().getString("file") == file.dir + "/sign.npy");
  CHECK(g.find("sign")->attrs().getBool("fixed"));
  const Node* h1 = g.find("h_1");
  REQUIRE(h1->operand(0)->kind() == OpKind::Where);
  CHECK(h1->operand(0)->operand(0)->kind() == OpKind::Greater);
  CHECK(g.find("h_0")->kind() == OpKind::Constant);
  auto values = initParams(g, 1);
  CHECK(values.at("sign")[1] == -1.f);
  CHECK(values.at("eye") == std::vector<float>{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1});
  CHECK(values.at("w_rr")[5] == 0.5f);

  // Numbers compare at build time: 1 < 2 is the number 1.
  std::string text = replaced(kMasked, "0.2 * drive", "(1 < 2) * 0.2 * drive");
  Model f2 = parseModel(replaced(text, "sign.npy", file.dir + "/sign.npy"), "f.mnemo", sized(2, 3));
  CHECK(f2.graph->find("h_1")->operand(0)->operand(2)->operand(0)->kind() == OpKind::Constant);
}

TEST_CASE("the reference evaluator runs the weighted loss as mean(weight * per-position loss)", "[dsl]") {
  // One position of two weighted 0: the loss is half the other position's cross-entropy.
  const char* src = R"(model w
size O = 3
input x : f32[T, B, O]
target labels : i64[T, B]
fixed weights : [T, B] = ones
param s : [O] = ones
state h : [B, O] = zeros
step t {
  h = x[t] * s
  out y = h
}
mask = weights * (x[:, :, 0] > 0)
loss = cross_entropy(y, labels, mask) + mse(y, x) * 0
)";
  Model m = parseModel(src, "w.mnemo", sized(2, 1));
  ReferenceEvaluator ev(*m.graph);
  ev.bind("x", RefTensor(m.graph->find("x")->type(), {1, 2, 3, -1, 0, 0}));
  ev.bind("labels", RefTensor(m.graph->find("labels")->type(), {2, 0}));
  ev.bind("s", RefTensor(TensorType::f32({3}), {1, 1, 1}));
  ev.bind("weights", RefTensor(TensorType::f32({1, 2}), {1, 1}));
  ev.run(Stage::Fwd);
  // Position 0: logsumexp(1, 2, 3) - 3 = 0.40760596444438013; position 1 is masked out.
  CHECK(ev.value("loss")[0] == Approx(0.40760596444438013 / 2).epsilon(1e-12));
}

TEST_CASE("the new forms' gradients match central differences", "[dsl][grad]") {
  SECTION("split-gate LSTM with a param initial state") { checkGradients(kSplitLstm, "split.mnemo"); }
  SECTION("masks, where, fixed tensors, weighted cross-entropy and mse") {
    MaskedModelFile file;
    std::ifstream in(file.path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    checkGradients(text, file.path);
  }
}

TEST_CASE("models using the new forms train on the runtime as the reference does, fused and unfused", "[dsl][runtime]") {
  SECTION("split-gate LSTM") { checkTrainingAgainstReference(kSplitLstm, "split.mnemo"); }
  SECTION("masked model") {
    MaskedModelFile file;
    checkTrainingAgainstReference(kMasked, file.path);
  }
}

TEST_CASE("orthogonal and identity initialisers", "[dsl][init]") {
  for (Dims dims : {Dims{6, 6}, Dims{8, 3}, Dims{3, 8}}) {
    std::vector<float> q = sampleInit(parseInitSpec("orthogonal(2)"), dims, 9);
    const int64_t rows = dims[0], cols = dims[1];
    // The fewer of rows and columns are orthogonal with norm gain = 2.
    const bool byColumn = rows >= cols;
    const int64_t count = byColumn ? cols : rows, len = byColumn ? rows : cols;
    auto at = [&](int64_t vec, int64_t i) { return byColumn ? q[i * cols + vec] : q[vec * cols + i]; };
    for (int64_t a = 0; a < count; ++a)
      for (int64_t b = 0; b < count; ++b) {
        double dot = 0;
        for (int64_t i = 0; i < len; ++i) dot += static_cast<double>(at(a, i)) * at(b, i);
        INFO(dimsStr(dims) << " vectors " << a << ", " << b);
        CHECK(dot == Approx(a == b ? 4.0 : 0.0).margin(1e-5));
      }
    CHECK(q != sampleInit(parseInitSpec("orthogonal(2)"), dims, 10));  // seeded, not constant
  }
  CHECK(sampleInit(parseInitSpec("identity(3)"), {2, 3}, 0) == std::vector<float>{3, 0, 0, 0, 3, 0});
  CHECK_THROWS_WITH(checkInitSpec(parseInitSpec("orthogonal"), {4}), "orthogonal needs a matrix (rank 2), got shape [4]");
  CHECK_THROWS_WITH(checkInitSpec(parseInitSpec("identity(1,2)"), {4, 4}), "identity takes 0 to 1 argument(s), got 2");
}

TEST_CASE("misused new forms are errors at their file:line:col", "[dsl]") {
  // Line numbers of kSplitLstm: 14 is g = ..., 15 i = ..., 16 f, 19 c, 21 centred, 23 both, 26 the loss.
  CHECK(errorOf(replaced(kSplitLstm, "g[:, 0:H]", "g[:, 0:5 * H]")) ==
        "m.mnemo:15:20: range 0:20 is not a non-empty part of axis 1 (length 16) of f32[2,16]");
  CHECK(errorOf(replaced(kSplitLstm, "g[:, 0:H]", "g[:, 2:2]")) ==
        "m.mnemo:15:20: range 2:2 is not a non-empty part of axis 1 (length 16) of f32[2,16]");
  CHECK(errorOf(replaced(kSplitLstm, "g[:, 0:H]", "g[:, 0:H, 1]")) == "m.mnemo:15:16: too many indices: 3 for a tensor f32[2,16]");
  CHECK(errorOf(replaced(kSplitLstm, "g[:, 0:H]", "g[:, 0:1.5]")) == "m.mnemo:15:22: a range bound must be an integer, got 1.5");
  CHECK(errorOf(replaced(kSplitLstm, "g[:, 0:H]", "0:H")) == "m.mnemo:15:16: expected ')' to close the call to sigmoid(...), got ':'");
  CHECK(errorOf(replaced(kSplitLstm, "slice(g, 1, H, H)", "slice(g, 1, H, 4 * H)")) ==
        "m.mnemo:16:15: op 'slice' (%g_0: f32[2,16]): slice [4, 20) is not inside axis 1 of f32[2,16] (length 16)");
  CHECK(errorOf(replaced(kSplitLstm, "slice(g, 1, H, H)", "slice(g, 1, H)")) ==
        "m.mnemo:16:15: slice(x, axis, start, len) takes 4 arguments, got 3");
  CHECK(errorOf(replaced(kSplitLstm, "slice(g, 1, H, H)", "slice(g, h, H, H)")) ==
        "m.mnemo:16:24: slice(): the axis must be an integer constant");
  CHECK(errorOf(replaced(kSplitLstm, "concat(n, reshape(transpose(h), B, H), 1)", "concat(n, h0, 1)")) ==
        "m.mnemo:23:10: op 'concat' (%n_0: f32[2,4], %h0: f32[4]): parts must agree on every axis but 1, got f32[2,4] and f32[4]");
  CHECK(errorOf(replaced(kSplitLstm, "concat(n, reshape(transpose(h), B, H), 1)", "concat(n, 1)")) ==
        "m.mnemo:23:10: concat(a, b, ..., axis) takes two or more tensors and an axis");
  CHECK(errorOf(replaced(kSplitLstm, "reshape(transpose(h), B, H)", "reshape(transpose(h), B, 3)")) ==
        "m.mnemo:23:20: op 'reshape' (%19: f32[4,2]): cannot reshape f32[4,2] (8 elements) to [2,3] (6 elements)");
  CHECK(errorOf(replaced(kSplitLstm, "transpose(h)", "transpose(h, 0, 0)")) ==
        "m.mnemo:23:28: op 'transpose' (%h_1: f32[2,4]): perm [0,0] names axis 0 twice");
  CHECK(errorOf(replaced(kSplitLstm, "mean(h, 1, keepdims)", "mean(h, 2, keepdims)")) ==
        "m.mnemo:21:17: op 'reduce_mean' (%h_1: f32[2,4]): axis 2 is out of range for rank 2");
  CHECK(errorOf(replaced(kSplitLstm, "mean(h, 1, keepdims)", "mean(h, keepdims, 1)")) ==
        "m.mnemo:21:25: unknown identifier 'keepdims'");
  CHECK(errorOf(replaced(kSplitLstm, "c = f * c + i * u", "c = f * c + (i < u < 1)")) ==
        "m.mnemo:19:22: comparisons do not chain: write (a < b) * (b < c)");
  CHECK(errorOf(replaced(kSplitLstm, "c = f * c + i * u", "c = where(i, u)")) == "m.mnemo:19:7: op 'where' (%i_0: f32[2,4], %u_0: f32[2,4]): takes 3 operand(s), got 2");
  CHECK(errorOf(replaced(kSplitLstm, "c = f * c + i * u", "c = where(i > 0, u, w_x)")) ==
        "m.mnemo:19:7: op 'where' (%9: f32[2,4], %u_0: f32[2,4], %w_x: f32[2,16]): shapes [2,4] and [2,16] do not broadcast");
  CHECK(errorOf(replaced(kSplitLstm, "param w_h : [H, 4 * H] = orthogonal", "param w_h : [H, 4 * H] = orthogonal(1, 2)")) ==
        "m.mnemo:6:26: bad initialiser for param 'w_h': orthogonal takes 0 to 1 argument(s), got 2");
  CHECK(errorOf(replaced(kSplitLstm, "param b : [4 * H] = uniform(-0.1, 0.1)", "param b : [4 * H] = identity")) ==
        "m.mnemo:7:21: bad initialiser for param 'b': identity needs a matrix (rank 2), got shape [16]");
  CHECK(errorOf(replaced(kSplitLstm, "loss = cross_entropy(y, labels)", "loss = cross_entropy(y, labels, y)")) ==
        "m.mnemo:26:33: cross_entropy(logits, labels, weights): weights must be f32[3,2] (the labels' shape), got f32[3,2,3]");
  CHECK(errorOf(replaced(kSplitLstm, "loss = cross_entropy(y, labels)", "loss = mse(y, h0)")) ==
        "m.mnemo:26:8: op 'sub' (%logits: f32[3,2,3], %h0: f32[4]): shapes [3,2,3] and [4] do not broadcast");
  CHECK(errorOf(replaced(kSplitLstm, "loss = cross_entropy(y, labels)", "loss = mse(1, 2)")) ==
        "m.mnemo:26:8: mse(pred, target) needs a tensor");
  CHECK(errorOf(replaced(kSplitLstm, "state h : [B, H] = h0", "state h : [B, H] = w_x")) ==
        "m.mnemo:11:20: bad initial value for state 'h': f32[2,16] does not broadcast to its type f32[2,4] (expected "
        "zeros, ones, a number or a tensor that broadcasts, e.g. a param h0 : [H])");

  // Fixed tensors: bad files and bad initialisers.
  MaskedModelFile file;
  auto masked = [&](const std::string& from, const std::string& to) { return errorOf(replaced(kMasked, from, to), file.path); };
  const std::string at = file.path + ":8:";
  CHECK(masked("npy(\"sign.npy\")", "npy(\"none.npy\")") ==
        at + "27: bad values for fixed tensor 'sign': cannot open '" + file.dir + "/none.npy'");
  CHECK(masked("fixed sign : [H, H]", "fixed sign : [H, 2]") ==
        at + "27: bad values for fixed tensor 'sign': " + file.dir + "/sign.npy holds an array of shape (4, 4), expected (4, 2)");
  CHECK(masked("npy(\"sign.npy\")", "npy(sign)") == at + "23: npy(\"FILE\") takes one quoted file name");
  CHECK(masked("npy(\"sign.npy\")", "npy(\"sign.npy") == at + "27: unterminated string (a quoted name ends on the same line)");
  CHECK(masked("fixed eye : [H, H] = identity", "fixed eye : [H, H] = glorot").rfind(
            file.path + ":9:22: bad initialiser for fixed tensor 'eye': unknown initialiser 'glorot'", 0) == 0);
  CHECK(masked("fixed eye : [H, H] = identity", "fixed eye : i64[H, H] = identity") ==
        file.path + ":9:13: fixed tensor 'eye' must be f32");
  CHECK(masked("fixed eye : [H, H] = identity", "fixed w_in : [H, H] = identity") ==
        file.path + ":9:7: redefinition of 'w_in' (a param defined at 5:7)");
  CHECK(masked("+ h @ eye * 0.1", "+ \"eye\"") ==
        file.path + ":15:45: a quoted name is only allowed as the file of npy(\"FILE\")");
}

TEST_CASE("every model in docs/DSL.md trains on the runtime as the reference does", "[dsl][docs]") {
  std::ifstream in(std::string(MNEMO_SOURCE_DIR) + "/docs/DSL.md");
  REQUIRE(in);
  std::vector<std::string> models;
  std::string line, block;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.rfind("```", 0) == 0) {
      if (inside && (block.rfind("model ", 0) == 0 || block.find("\nmodel ") != std::string::npos)) models.push_back(block);
      inside = !inside;
      block.clear();
    } else if (inside) {
      block += line + "\n";
    }
  }
  REQUIRE(models.size() >= 3);  // the notebook's model, the split-gate LSTM, the masked model
  MaskedModelFile dir;          // holds a 4x4 sign.npy; the doc's model wants [H, H]
  writeNpy(dir.dir + "/sign.npy", {64, 64}, std::vector<float>(64 * 64, -1.f));
  for (const std::string& text : models) {
    INFO(text.substr(text.find("model "), 40));
    checkTrainingAgainstReference(text, dir.dir + "/doc.mnemo");
  }
}

TEST_CASE("an f32 target with mse trains on the runtime as in the reference", "[dsl][runtime]") {
  const char* src = R"(model regress
size I = 2, H = 6, O = 2
input x : f32[T, B, I]
target y : f32[T, B, O]
param w_in : [I, H] = kaiming_normal(1)
param w_rr : [H, H] = orthogonal(0.9)
param w_o : [H, O] = kaiming_normal(1)
state h : [B, H] = zeros
step t {
  h = tanh(x[t] @ w_in + h @ w_rr)
  out o = h @ w_o
}
loss = mse(o, y)
)";
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> x(5 * 3 * 2), y(5 * 3 * 2);
  for (float& v : x) v = u(rng);
  for (float& v : y) v = u(rng);
  Model rm = parseModel(src, "r.mnemo", sized(3, 5));
  CHECK(rm.graph->find("y")->type() == TensorType::f32({5, 3, 2}));
  ReferenceEvaluator ev(*rm.graph);
  for (const auto& [name, values] : initParams(*rm.graph, 5)) ev.bind(name, ref(rm.graph->find(name), values));
  ev.bind("x", ref(rm.graph->find("x"), x));
  ev.bind("y", ref(rm.graph->find("y"), y));
  ev.run(Stage::Fwd);
  // mse by hand from the reference's own outputs: mean over T·B·O of (o - y)².
  const RefTensor& o = ev.value("logits");
  double want = 0;
  for (size_t i = 0; i < y.size(); ++i) want += (o[i] - y[i]) * (o[i] - y[i]) / static_cast<double>(y.size());
  CHECK(ev.value("loss")[0] == Approx(want).epsilon(1e-12));
  for (const char* pipeline : {"train", "train-unfused"}) {
    Model m = parseModel(src, "r.mnemo", sized(3, 5));
    PassManager pm;
    buildPipeline(pipeline, pm);
    pm.run(*m.graph);
    Session s(*m.graph);
    for (const auto& [name, values] : initParams(*m.graph, 5)) s.setF32(name, values);
    s.setAdam(1e-3);
    s.setF32("x", x);
    s.setF32("y", y);
    INFO(pipeline);
    CHECK(s.trainStep() == Approx(want).epsilon(1e-5));
  }
}
