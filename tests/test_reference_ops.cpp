// Every op's reference evaluation (the double-precision oracle) on small tensors, against values
// worked out by hand and written here as numbers. A last test walks every OpKind and fails when
// an op has no evaluation case.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ops/builder.h"
#include "support/error.h"
#include "runtime/reference/evaluator.h"

using namespace mnemo;

namespace {

RefTensor f32(Dims d, std::vector<double> v) { return {TensorType::f32(std::move(d)), std::move(v)}; }
RefTensor i64(Dims d, std::vector<double> v) { return {TensorType::i64(std::move(d)), std::move(v)}; }

/// One node applied to inputs %a, %b, %c, ...; \p expect is its value.
struct EvalCase {
  const char* what;
  OpKind kind;
  std::vector<RefTensor> ins;
  Attrs attrs;
  RefTensor expect;
};

const std::vector<EvalCase>& evalCases() {
  using K = OpKind;
  using Ints = std::vector<int64_t>;
  const double e = 2.718281828459045;
  // softmax([1,2,3]) = [e^-2, e^-1, 1] / (1 + e^-1 + e^-2)
  const double s0 = 0.09003057317038048, s1 = 0.2447284710547977, s2 = 0.665240955774822;
  static const std::vector<EvalCase> cases = {
      {"bias [3] broadcast onto [2,3]", K::Add, {f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({3}, {10, 20, 30})}, {},
       f32({2, 3}, {11, 22, 33, 14, 25, 36})},
      {"column [2,1] plus row [3]", K::Add, {f32({2, 1}, {1, 2}), f32({3}, {10, 20, 30})}, {},
       f32({2, 3}, {11, 21, 31, 12, 22, 32})},
      {"scalar subtrahend", K::Sub, {f32({2, 2}, {5, 7, 9, 11}), f32({}, {2})}, {}, f32({2, 2}, {3, 5, 7, 9})},
      {"[2,1] minus [2]", K::Sub, {f32({2, 1}, {1, 2}), f32({2}, {10, 20})}, {}, f32({2, 2}, {-9, -19, -8, -18})},
      {"rows scaled by a column", K::Mul, {f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({2, 1}, {2, -1})}, {},
       f32({2, 3}, {2, 4, 6, -4, -5, -6})},
      {"same shapes", K::Div, {f32({4}, {1, 4, 9, -8}), f32({4}, {2, 8, 3, 4})}, {}, f32({4}, {0.5, 0.5, 3, -2})},
      {"by a scalar", K::Div, {f32({3}, {1, 2, 3}), f32({}, {4})}, {}, f32({3}, {0.25, 0.5, 0.75})},
      {"signs flip", K::Neg, {f32({3}, {1, -2, 0})}, {}, f32({3}, {-1, 2, 0})},
      {"negatives and zero clamp", K::Relu, {f32({4}, {-1, 0, 2.5, -0.5})}, {}, f32({4}, {0, 0, 2.5, 0})},
      {"passes g where x > 0 only; at 0 gives 0", K::ReluGrad,
       {f32({2, 2}, {-1, 0, 2, 1e-9}), f32({2, 2}, {10, 20, 30, 40})}, {}, f32({2, 2}, {0, 0, 30, 40})},
      {"tanh", K::Tanh, {f32({3}, {0, 0.5, -1})}, {}, f32({3}, {0, 0.46211715726000974, -0.7615941559557649})},
      {"logistic", K::Sigmoid, {f32({3}, {0, 2, -1})}, {}, f32({3}, {0.5, 0.8807970779778823, 0.2689414213699951})},
      {"exp", K::Exp, {f32({4}, {0, 1, -1, 2})}, {}, f32({4}, {1, e, 0.36787944117144233, 7.38905609893065})},
      {"natural log", K::Log, {f32({4}, {1, e, 0.5, 10})}, {}, f32({4}, {0, 1, -0.6931471805599453, 2.302585092994046})},
      {"sqrt", K::Sqrt, {f32({4}, {4, 2, 0.25, 0})}, {}, f32({4}, {2, 1.4142135623730951, 0.5, 0})},
      {"square", K::Square, {f32({3}, {3, -2, 0.5})}, {}, f32({3}, {9, 4, 0.25})},
      // softplus(0) = log 2; softplus(-800) underflows to 0 and softplus(800) is 800, not inf.
      {"softplus", K::Softplus, {f32({5}, {0, 1, -1, -800, 800})}, {},
       f32({5}, {0.6931471805599453, 1.3132616875182228, 0.31326168751822286, 0, 800})},
      // elu(-1) = exp(-1) - 1; elu(-800) saturates at -1.
      {"elu", K::Elu, {f32({5}, {1, 0, -1, -800, 2})}, {}, f32({5}, {1, 0, -0.6321205588285577, -1, 2})},
      {"abs", K::Abs, {f32({4}, {-2.5, 0, 3, -1e-9})}, {}, f32({4}, {2.5, 0, 3, 1e-9})},
      {"maximum against a row", K::Maximum, {f32({2, 2}, {1, -5, 3, 0}), f32({2}, {2, -1})}, {},
       f32({2, 2}, {2, -1, 3, 0})},
      {"minimum with a scalar", K::Minimum, {f32({3}, {1, -5, 3}), f32({}, {2})}, {}, f32({3}, {1, -5, 2})},

      // A = [[1,2,3],[4,5,6]], B = [[7,8],[9,10],[11,12]]: A·B = [[58,64],[139,154]]; the
      // transposed variants store Aᵀ and/or Bᵀ and must give the same product.
      {"A·B", K::MatMul, {f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({3, 2}, {7, 8, 9, 10, 11, 12})}, {},
       f32({2, 2}, {58, 64, 139, 154})},
      {"transpose_a", K::MatMul, {f32({3, 2}, {1, 4, 2, 5, 3, 6}), f32({3, 2}, {7, 8, 9, 10, 11, 12})},
       {{"transpose_a", true}}, f32({2, 2}, {58, 64, 139, 154})},
      {"transpose_b", K::MatMul, {f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({2, 3}, {7, 9, 11, 8, 10, 12})},
       {{"transpose_b", true}}, f32({2, 2}, {58, 64, 139, 154})},
      {"transpose_a and transpose_b", K::MatMul, {f32({3, 2}, {1, 4, 2, 5, 3, 6}), f32({2, 3}, {7, 9, 11, 8, 10, 12})},
       {{"transpose_a", true}, {"transpose_b", true}}, f32({2, 2}, {58, 64, 139, 154})},
      {"Aᵀ·diag(1,2) is [3,2]", K::MatMul, {f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({2, 2}, {1, 0, 0, 2})},
       {{"transpose_a", true}}, f32({3, 2}, {1, 8, 2, 10, 3, 12})},
      // A batch of two products, each with its own B: [A·B, 2A·I] where the second B is the
      // identity scaled by 2 (so the second product is 2A); transposes act on the last two axes.
      {"batched A·B", K::MatMul,
       {f32({2, 2, 3}, {1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6}), f32({2, 3, 2}, {7, 8, 9, 10, 11, 12, 2, 0, 0, 2, 0, 0})}, {},
       f32({2, 2, 2}, {58, 64, 139, 154, 2, 4, 8, 10})},
      {"batched transpose_a and transpose_b", K::MatMul,
       {f32({2, 3, 2}, {1, 4, 2, 5, 3, 6, 1, 4, 2, 5, 3, 6}), f32({2, 2, 3}, {7, 9, 11, 8, 10, 12, 2, 0, 0, 0, 2, 0})},
       {{"transpose_a", true}, {"transpose_b", true}}, f32({2, 2, 2}, {58, 64, 139, 154, 2, 4, 8, 10})},

      {"row-major data is kept", K::Reshape, {f32({2, 3}, {1, 2, 3, 4, 5, 6})}, {{"shape", Ints{3, 2}}},
       f32({3, 2}, {1, 2, 3, 4, 5, 6})},
      {"a row repeated", K::Broadcast, {f32({3}, {1, 2, 3})}, {{"shape", Ints{2, 3}}}, f32({2, 3}, {1, 2, 3, 1, 2, 3})},
      {"a column repeated", K::Broadcast, {f32({2, 1}, {1, 2})}, {{"shape", Ints{2, 3}}}, f32({2, 3}, {1, 1, 1, 2, 2, 2})},
      {"row 1 along axis 0", K::Select, {f32({2, 3}, {1, 2, 3, 4, 5, 6})}, {{"axis", int64_t{0}}, {"index", int64_t{1}}},
       f32({3}, {4, 5, 6})},
      {"column 2 along axis 1", K::Select, {f32({2, 3}, {1, 2, 3, 4, 5, 6})}, {{"axis", int64_t{1}}, {"index", int64_t{2}}},
       f32({2}, {3, 6})},
      {"middle axis of [2,3,2]", K::Select, {f32({2, 3, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})},
       {{"axis", int64_t{1}}, {"index", int64_t{1}}}, f32({2, 2}, {2, 3, 8, 9})},
      {"row 1 of 2 along axis 0", K::InsertSlice, {f32({3}, {1, 2, 3})},
       {{"axis", int64_t{0}}, {"index", int64_t{1}}, {"size", int64_t{2}}}, f32({2, 3}, {0, 0, 0, 1, 2, 3})},
      {"column 0 of 2 along axis 1", K::InsertSlice, {f32({3}, {1, 2, 3})},
       {{"axis", int64_t{1}}, {"index", int64_t{0}}, {"size", int64_t{2}}}, f32({3, 2}, {1, 0, 2, 0, 3, 0})},
      {"two rows along axis 0", K::Stack, {f32({3}, {1, 2, 3}), f32({3}, {4, 5, 6})}, {{"axis", int64_t{0}}},
       f32({2, 3}, {1, 2, 3, 4, 5, 6})},
      {"two columns along axis 1", K::Stack, {f32({3}, {1, 2, 3}), f32({3}, {4, 5, 6})}, {{"axis", int64_t{1}}},
       f32({3, 2}, {1, 4, 2, 5, 3, 6})},
      {"three parts along axis 1", K::Stack, {f32({2}, {1, 2}), f32({2}, {3, 4}), f32({2}, {5, 6})},
       {{"axis", int64_t{1}}}, f32({2, 3}, {1, 3, 5, 2, 4, 6})},

      {"columns 1..2 of [2,4]", K::Slice, {f32({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8})},
       {{"axis", int64_t{1}}, {"start", int64_t{1}}, {"size", int64_t{2}}}, f32({2, 2}, {2, 3, 6, 7})},
      {"the middle plane of [3,2]", K::Slice, {f32({3, 2}, {1, 2, 3, 4, 5, 6})},
       {{"axis", int64_t{0}}, {"start", int64_t{1}}, {"size", int64_t{1}}}, f32({1, 2}, {3, 4})},
      {"[2,1] and [2,2] along axis 1", K::Concat, {f32({2, 1}, {1, 2}), f32({2, 2}, {3, 4, 5, 6})},
       {{"axis", int64_t{1}}}, f32({2, 3}, {1, 3, 4, 2, 5, 6})},
      {"[1,2] and [2,2] along axis 0", K::Concat, {f32({1, 2}, {1, 2}), f32({2, 2}, {3, 4, 5, 6})},
       {{"axis", int64_t{0}}}, f32({3, 2}, {1, 2, 3, 4, 5, 6})},
      {"a matrix", K::Transpose, {f32({2, 3}, {1, 2, 3, 4, 5, 6})}, {{"perm", Ints{1, 0}}},
       f32({3, 2}, {1, 4, 2, 5, 3, 6})},
      {"[2,1,3] by perm [2,0,1]", K::Transpose, {f32({2, 1, 3}, {1, 2, 3, 4, 5, 6})}, {{"perm", Ints{2, 0, 1}}},
       f32({3, 2, 1}, {1, 4, 2, 5, 3, 6})},

      {"over rows", K::ReduceSum, {f32({2, 3}, {1, 2, 3, 4, 5, 6})}, {{"axes", Ints{0}}}, f32({3}, {5, 7, 9})},
      {"over columns", K::ReduceSum, {f32({2, 3}, {1, 2, 3, 4, 5, 6})}, {{"axes", Ints{1}}}, f32({2}, {6, 15})},
      {"over everything", K::ReduceSum, {f32({2, 3}, {1, 2, 3, 4, 5, 6})}, {{"axes", Ints{0, 1}}}, f32({}, {21})},
      {"outer axes of [2,3,2]", K::ReduceSum, {f32({2, 3, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})},
       {{"axes", Ints{0, 2}}}, f32({3}, {14, 22, 30})},
      {"over columns", K::ReduceMean, {f32({2, 3}, {1, 2, 3, 4, 5, 6})}, {{"axes", Ints{1}}}, f32({2}, {2, 5})},
      {"over everything", K::ReduceMean, {f32({2, 3}, {1, 2, 3, 4, 5, 6})}, {{"axes", Ints{0, 1}}}, f32({}, {3.5})},
      {"outer axes of [2,3,2]", K::ReduceMean, {f32({2, 3, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})},
       {{"axes", Ints{0, 2}}}, f32({3}, {3.5, 5.5, 7.5})},
      {"middle axis of [2,3,2]", K::ReduceMean, {f32({2, 3, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})},
       {{"axes", Ints{1}}}, f32({2, 2}, {2, 3, 8, 9})},

      {"max over columns", K::ReduceMax, {f32({2, 3}, {1, -2, 3, -4, -5, -6})}, {{"axes", Ints{1}}}, f32({2}, {3, -4})},
      {"max over outer axes of [2,3,2]", K::ReduceMax, {f32({2, 3, 2}, {0, 11, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1})},
       {{"axes", Ints{0, 2}}}, f32({3}, {11, 9, 10})},

      {"ties go to the first maximum", K::ArgMax, {f32({2, 4}, {1, 3, 3, 2, 5, 5, 5, 5})}, {{"axis", int64_t{1}}},
       i64({2}, {1, 0})},
      {"along axis 0", K::ArgMax, {f32({2, 3}, {1, 7, 2, 4, 7, 0})}, {{"axis", int64_t{0}}}, i64({3}, {1, 0, 0})},
      {"negative values", K::ArgMax, {f32({3}, {-5, -1, -3})}, {{"axis", int64_t{0}}}, i64({}, {1})},

      // logits [[0,0,0],[1,2,3]], labels [0,2]: row 0 loses log 3, row 1 loses
      // log(1 + e^-1 + e^-2) = 0.40760596444438013; the mean is 0.753109126556245.
      {"2x3 example", K::SoftmaxXent, {f32({2, 3}, {0, 0, 0, 1, 2, 3}), i64({2}, {0, 2})}, {},
       f32({}, {0.753109126556245})},
      // g = 2 over N = 2 rows scales (softmax - onehot) by 1.
      {"2x3 example, g = 2", K::SoftmaxXentGrad, {f32({2, 3}, {0, 0, 0, 1, 2, 3}), i64({2}, {0, 2}), f32({}, {2})}, {},
       f32({2, 3}, {-2.0 / 3, 1.0 / 3, 1.0 / 3, s0, s1, s2 - 1})},
      {"2x3 example, g = 0.5", K::SoftmaxXentGrad, {f32({2, 3}, {0, 0, 0, 1, 2, 3}), i64({2}, {1, 0}), f32({}, {0.5})}, {},
       f32({2, 3}, {0.25 / 3, -0.5 / 3, 0.25 / 3, 0.25 * (s0 - 1), 0.25 * s1, 0.25 * s2})},
      // Per-row losses of the same example: log 3 and log(1 + e^-1 + e^-2).
      {"2x3 example", K::SoftmaxXentRows, {f32({2, 3}, {0, 0, 0, 1, 2, 3}), i64({2}, {0, 2})}, {},
       f32({2}, {1.0986122886681098, 0.40760596444438013})},
      // Each row scaled by its own g: row 0 by 3, row 1 by 0 (a masked position).
      {"2x3 example, g = [3, 0]", K::SoftmaxXentRowsGrad,
       {f32({2, 3}, {0, 0, 0, 1, 2, 3}), i64({2}, {0, 2}), f32({2}, {3, 0})}, {},
       f32({2, 3}, {-2, 1, 1, 0, 0, 0})},

      {"broadcast threshold", K::Less, {f32({2, 2}, {1, 5, 3, 2}), f32({}, {3})}, {}, f32({2, 2}, {1, 0, 0, 1})},
      {"ties", K::LessEqual, {f32({3}, {1, 3, 4}), f32({3}, {3, 3, 3})}, {}, f32({3}, {1, 1, 0})},
      {"per column", K::Greater, {f32({2, 2}, {1, 5, 3, 2}), f32({2}, {2, 2})}, {}, f32({2, 2}, {0, 1, 1, 0})},
      {"ties", K::GreaterEqual, {f32({3}, {1, 3, 4}), f32({3}, {3, 3, 3})}, {}, f32({3}, {0, 1, 1})},
      {"ties only", K::Equal, {f32({3}, {1, 3, 4}), f32({}, {3})}, {}, f32({3}, {0, 1, 0})},
      {"mask over rows, scalar else", K::Where, {f32({2, 1}, {1, 0}), f32({2, 2}, {1, 2, 3, 4}), f32({}, {-1})}, {},
       f32({2, 2}, {1, 2, -1, -1})},
      {"any non-zero condition", K::Where, {f32({3}, {0.5, 0, -2}), f32({3}, {1, 2, 3}), f32({3}, {7, 8, 9})}, {},
       f32({3}, {1, 8, 3})},
  };
  return cases;
}

/// Builds %a, %b, ... and the node of \p c, binds the inputs and runs the evaluator.
RefTensor evaluate(const EvalCase& c) {
  Graph g("t");
  Builder b(g);
  std::vector<Node*> ops;
  for (size_t i = 0; i < c.ins.size(); ++i) ops.push_back(b.input(std::string(1, char('a' + i)), c.ins[i].type));
  Node* n = b.create(c.kind, ops, c.attrs);
  ReferenceEvaluator ev(g);
  for (size_t i = 0; i < c.ins.size(); ++i) ev.bind(ops[i]->name(), c.ins[i]);
  ev.run();
  return ev.value(n);
}

void checkClose(const RefTensor& got, const RefTensor& want) {
  REQUIRE(got.type == want.type);
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("element " << i);
    CHECK(got[i] == Approx(want[i]).margin(1e-12).epsilon(1e-12));
  }
}

/// Ops whose evaluation is checked by a test case of its own below (not in the table).
const std::set<OpKind> kOwnTestCase = {OpKind::Input, OpKind::Param, OpKind::State, OpKind::Constant,
                                       OpKind::AdamUpdate, OpKind::SgdUpdate, OpKind::Fused,
                                       // their values are hashes: tests/test_random.cpp checks their statistics
                                       OpKind::RandomNormal, OpKind::RandomUniform};

}  // namespace

TEST_CASE("reference ops: hand-computed values", "[ops][reference]") {
  for (const EvalCase& c : evalCases()) {
    DYNAMIC_SECTION(opName(c.kind) << ": " << c.what) { checkClose(evaluate(c), c.expect); }
  }
}

TEST_CASE("reference ops: constant fills its tensor", "[ops][reference]") {
  Graph g("t");
  Builder b(g);
  Node* c = b.constant(-1.25, {2, 2});
  Node* s = b.constant(3.0);
  Node* sum = b.add(c, s);
  ReferenceEvaluator ev(g);
  ev.run();
  checkClose(ev.value(c), f32({2, 2}, {-1.25, -1.25, -1.25, -1.25}));
  checkClose(ev.value(s), f32({}, {3}));
  checkClose(ev.value(sum), f32({2, 2}, {1.75, 1.75, 1.75, 1.75}));
}

TEST_CASE("reference ops: input, param and state hold their bound value", "[ops][reference]") {
  Graph g("t");
  Builder b(g);
  Node* x = b.input("x", TensorType::f32({2}));
  Node* w = b.param("w", {2});
  Node* s = b.state("s", TensorType::i64({3}));
  ReferenceEvaluator ev(g);
  ev.bind("x", f32({2}, {1.5, -2}));
  ev.bind("w", f32({2}, {0.25, 4}));
  ev.bind("s", i64({3}, {7, 0, 2}));
  ev.run();
  checkClose(ev.value(x), f32({2}, {1.5, -2}));
  checkClose(ev.value(w), f32({2}, {0.25, 4}));
  checkClose(ev.value(s), i64({3}, {7, 0, 2}));

  // An unbound leaf is an error naming it, and a bind of the wrong type is refused.
  ReferenceEvaluator unbound(g);
  unbound.bind("x", f32({2}, {0, 0}));
  unbound.bind("s", i64({3}, {0, 0, 0}));
  CHECK_THROWS_WITH(unbound.run(), "param %w has no value bound");
  CHECK_THROWS_WITH(unbound.bind("w", f32({3}, {1, 2, 3})), "value for %w has type f32[3], expected f32[2]");
}

TEST_CASE("reference ops: adam_update takes one step on a 2-element param", "[ops][reference]") {
  Graph g("t");
  Builder b(g);
  Node* p = b.param("p", {2});
  Node* grad = b.input("g", TensorType::f32({2}));
  Node* m = b.state("m", TensorType::f32({2}));
  Node* v = b.state("v", TensorType::f32({2}));
  Node* hyper = b.state("hyper", TensorType::f32({5}));
  b.setStage(Stage::Opt);
  Node* upd = b.create(OpKind::AdamUpdate, {p, grad, m, v, hyper});
  CHECK(upd->type().isNone());
  ReferenceEvaluator ev(g);
  ev.bind("p", f32({2}, {1.0, -2.0}));
  ev.bind("g", f32({2}, {0.5, -0.1}));
  ev.bind("m", f32({2}, {0.1, 0.2}));
  ev.bind("v", f32({2}, {0.01, 0.04}));
  ev.bind("hyper", f32({5}, {0.1, 0.9, 0.999, 1e-8, 2}));  // [lr, b1, b2, eps, t], second step
  ev.run();
  // m = 0.9 m + 0.1 g = [0.14, 0.17]; v = 0.999 v + 0.001 g^2 = [0.01024, 0.03997];
  // lr_t = 0.1 sqrt(1 - 0.999^2) / (1 - 0.9^2) = 0.023531672532745275;
  // p -= lr_t m / (sqrt(v) + eps) = [1 - 0.032555982813835, -2 - 0.0200094255944006].
  checkClose(ev.value(m), f32({2}, {0.14, 0.17}));
  checkClose(ev.value(v), f32({2}, {0.01024, 0.03997}));
  checkClose(ev.value(p), f32({2}, {0.967444017186165, -2.0200094255944006}));
  CHECK_FALSE(ev.has(upd));  // no result of its own

  SECTION("the step counter must be at least 1") {
    ReferenceEvaluator early(g);
    early.bind("p", f32({2}, {0, 0}));
    early.bind("g", f32({2}, {0, 0}));
    early.bind("m", f32({2}, {0, 0}));
    early.bind("v", f32({2}, {0, 0}));
    early.bind("hyper", f32({5}, {0.1, 0.9, 0.999, 1e-8, 0}));
    CHECK_THROWS_WITH(early.run(), "adam step counter must be at least 1, got 0");
  }
}

TEST_CASE("reference ops: a fused region evaluates its body", "[ops][reference]") {
  Graph g("t");
  Builder b(g);
  Node* x = b.input("x", TensorType::f32({2, 3}));
  Node* s = b.input("s", TensorType::f32({3}));
  auto body = std::make_unique<Graph>("region");
  Builder in(*body);
  Node* p0 = in.input("p0", TensorType::f32({2, 3}));
  Node* p1 = in.input("p1", TensorType::f32({3}));
  body->addOutput(in.relu(in.sub(in.mul(p0, p1), in.constant(1.0))));  // relu(x * s - 1)
  Node* f = g.createFused({x, s}, std::move(body), {{"kind", std::string("elementwise")}}, "f", Stage::Fwd);
  ReferenceEvaluator ev(g);
  ev.bind("x", f32({2, 3}, {1, 2, 3, -1, 0.5, 4}));
  ev.bind("s", f32({3}, {2, 1, -1}));
  ev.run();
  // x * s = [[2,2,-3],[-2,0.5,-4]]; minus 1 = [[1,1,-4],[-3,-0.5,-5]]; relu keeps the ones.
  checkClose(ev.value(f), f32({2, 3}, {1, 1, 0, 0, 0, 0}));
}

TEST_CASE("reference ops: softmax_xent rejects a label outside the classes", "[ops][reference]") {
  Graph g("t");
  Builder b(g);
  Node* z = b.input("z", TensorType::f32({2, 3}));
  Node* y = b.input("y", TensorType::i64({2}));
  b.softmaxXent(z, y);
  ReferenceEvaluator ev(g);
  ev.bind("z", f32({2, 3}, {0, 0, 0, 0, 0, 0}));
  ev.bind("y", i64({2}, {0, 3}));
  CHECK_THROWS_WITH(ev.run(), "label 3 at position 1 is not a class in [0,3)");
}

TEST_CASE("reference ops: every op has an evaluation case", "[ops][reference]") {
  std::set<int> covered;
  for (const EvalCase& c : evalCases()) covered.insert(static_cast<int>(c.kind));
  for (OpKind k : kOwnTestCase) covered.insert(static_cast<int>(k));
  for (int k = 0; k < kNumOps; ++k) {
    INFO("op '" << opName(static_cast<OpKind>(k)) << "' needs an evaluation case in tests/test_reference_ops.cpp");
    CHECK(covered.count(k) == 1);
  }
}
