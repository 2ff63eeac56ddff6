// Every op's shape rule through Builder::create: accepted operand types with the result type
// they give (numpy broadcasting included), and rejections whose whole message is checked, so it
// must name the op, the operands with their types and the reason. A last test walks every
// OpKind and fails when an op has no accepted or no rejected case here.
#include <catch2/catch.hpp>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ops/builder.h"
#include "support/error.h"

using namespace mnemo;

namespace {

TensorType f32(Dims d) { return TensorType::f32(std::move(d)); }
TensorType i64(Dims d) { return TensorType::i64(std::move(d)); }

/// One call of Builder::create on inputs %a, %b, %c, ... of the given types. An accepted case
/// gives \p expect as the result type's text; a rejected one throws exactly \p expect.
struct ShapeCase {
  OpKind kind;
  std::vector<TensorType> operands;
  Attrs attrs;
  bool accepted;
  std::string expect;
};

ShapeCase ok(OpKind k, std::vector<TensorType> ins, Attrs attrs, std::string type) {
  return {k, std::move(ins), std::move(attrs), true, std::move(type)};
}
ShapeCase bad(OpKind k, std::vector<TensorType> ins, Attrs attrs, std::string message) {
  return {k, std::move(ins), std::move(attrs), false, std::move(message)};
}

const std::vector<ShapeCase>& shapeCases() {
  using K = OpKind;
  using Ints = std::vector<int64_t>;
  static const std::vector<ShapeCase> cases = {
      // Leaves are declared (input(), param(), ...; see the leaf test below), never created as ops.
      bad(K::Input, {f32({2})}, {}, "op 'input' (%a: f32[2]): a declaration is made with input(), param(), state() or constant()"),
      bad(K::Param, {}, {{"init", int64_t{3}}}, "op 'param' (): a declaration is made with input(), param(), state() or constant()"),
      bad(K::State, {i64({4})}, {}, "op 'state' (%a: i64[4]): a declaration is made with input(), param(), state() or constant()"),
      bad(K::Constant, {}, {}, "op 'constant' (): a declaration is made with input(), param(), state() or constant()"),
      bad(K::Constant, {}, {{"value", std::string("one")}},
          "op 'constant' (): a declaration is made with input(), param(), state() or constant()"),

      // Binary elementwise ops broadcast like numpy.
      ok(K::Add, {f32({2, 3}), f32({3})}, {}, "f32[2,3]"),
      ok(K::Add, {f32({2, 1}), f32({1, 3})}, {}, "f32[2,3]"),
      ok(K::Add, {f32({}), f32({4})}, {}, "f32[4]"),
      ok(K::Add, {f32({5, 1, 3}), f32({4, 1})}, {}, "f32[5,4,3]"),
      bad(K::Add, {f32({2, 3}), f32({4})}, {}, "op 'add' (%a: f32[2,3], %b: f32[4]): shapes [2,3] and [4] do not broadcast"),
      bad(K::Add, {i64({2}), f32({2})}, {}, "op 'add' (%a: i64[2], %b: f32[2]): left operand must be f32, got i64[2]"),
      bad(K::Add, {f32({2})}, {}, "op 'add' (%a: f32[2]): takes 2 operand(s), got 1"),
      ok(K::Less, {f32({2, 3}), f32({3})}, {}, "f32[2,3]"),
      bad(K::Less, {f32({2, 3}), f32({2})}, {}, "op 'less' (%a: f32[2,3], %b: f32[2]): shapes [2,3] and [2] do not broadcast"),
      ok(K::LessEqual, {f32({}), f32({4})}, {}, "f32[4]"),
      bad(K::LessEqual, {i64({4}), f32({4})}, {}, "op 'less_equal' (%a: i64[4], %b: f32[4]): left operand must be f32, got i64[4]"),
      ok(K::Greater, {f32({2, 1}), f32({1, 3})}, {}, "f32[2,3]"),
      bad(K::Greater, {f32({2})}, {}, "op 'greater' (%a: f32[2]): takes 2 operand(s), got 1"),
      ok(K::GreaterEqual, {f32({3}), f32({3})}, {}, "f32[3]"),
      bad(K::GreaterEqual, {f32({3}), i64({3})}, {}, "op 'greater_equal' (%a: f32[3], %b: i64[3]): right operand must be f32, got i64[3]"),
      ok(K::Equal, {f32({3}), f32({})}, {}, "f32[3]"),
      bad(K::Equal, {f32({3}), f32({4})}, {}, "op 'equal' (%a: f32[3], %b: f32[4]): shapes [3] and [4] do not broadcast"),
      ok(K::Where, {f32({2, 3}), f32({3}), f32({})}, {}, "f32[2,3]"),
      ok(K::Where, {f32({2, 1}), f32({1, 3}), f32({2, 3})}, {}, "f32[2,3]"),
      bad(K::Where, {f32({2, 3}), f32({3}), f32({2})}, {}, "op 'where' (%a: f32[2,3], %b: f32[3], %c: f32[2]): shapes [2,3] and [2] do not broadcast"),
      bad(K::Where, {i64({3}), f32({3}), f32({3})}, {}, "op 'where' (%a: i64[3], %b: f32[3], %c: f32[3]): condition must be f32, got i64[3]"),
      ok(K::Sub, {f32({4, 1}), f32({3})}, {}, "f32[4,3]"),
      ok(K::Sub, {f32({2, 3}), f32({2, 3})}, {}, "f32[2,3]"),
      bad(K::Sub, {f32({2, 3}), f32({3, 2})}, {}, "op 'sub' (%a: f32[2,3], %b: f32[3,2]): shapes [2,3] and [3,2] do not broadcast"),
      ok(K::Mul, {f32({}), f32({})}, {}, "f32[]"),
      ok(K::Mul, {f32({3}), f32({2, 1})}, {}, "f32[2,3]"),
      bad(K::Mul, {f32({2}), f32({3})}, {}, "op 'mul' (%a: f32[2], %b: f32[3]): shapes [2] and [3] do not broadcast"),
      bad(K::Mul, {f32({2}), f32({2})}, {{"axis", int64_t{0}}}, "op 'mul' (%a: f32[2], %b: f32[2]): unknown attribute 'axis'"),
      ok(K::Div, {f32({5, 1, 3}), f32({2, 1})}, {}, "f32[5,2,3]"),
      bad(K::Div, {f32({2, 3}), i64({})}, {}, "op 'div' (%a: f32[2,3], %b: i64[]): right operand must be f32, got i64[]"),
      bad(K::Div, {f32({4, 3}), f32({2, 3})}, {}, "op 'div' (%a: f32[4,3], %b: f32[2,3]): shapes [4,3] and [2,3] do not broadcast"),

      // Unary elementwise ops keep the type; they take f32 only.
      ok(K::Neg, {f32({2, 3})}, {}, "f32[2,3]"),
      bad(K::Neg, {i64({2})}, {}, "op 'neg' (%a: i64[2]): operand must be f32, got i64[2]"),
      bad(K::Neg, {f32({2}), f32({2})}, {}, "op 'neg' (%a: f32[2], %b: f32[2]): takes 1 operand(s), got 2"),
      ok(K::Relu, {f32({4, 8})}, {}, "f32[4,8]"),
      bad(K::Relu, {f32({4})}, {{"alpha", 0.1}}, "op 'relu' (%a: f32[4]): unknown attribute 'alpha'"),
      bad(K::Relu, {i64({4, 8})}, {}, "op 'relu' (%a: i64[4,8]): operand must be f32, got i64[4,8]"),
      ok(K::Tanh, {f32({})}, {}, "f32[]"),
      bad(K::Tanh, {i64({})}, {}, "op 'tanh' (%a: i64[]): operand must be f32, got i64[]"),
      ok(K::Sigmoid, {f32({1, 2, 3})}, {}, "f32[1,2,3]"),
      bad(K::Sigmoid, {i64({3})}, {}, "op 'sigmoid' (%a: i64[3]): operand must be f32, got i64[3]"),
      ok(K::Exp, {f32({7})}, {}, "f32[7]"),
      bad(K::Exp, {i64({7})}, {}, "op 'exp' (%a: i64[7]): operand must be f32, got i64[7]"),
      ok(K::Log, {f32({2, 2})}, {}, "f32[2,2]"),
      bad(K::Log, {i64({2, 2})}, {}, "op 'log' (%a: i64[2,2]): operand must be f32, got i64[2,2]"),
      ok(K::Sqrt, {f32({3})}, {}, "f32[3]"),
      bad(K::Sqrt, {i64({3})}, {}, "op 'sqrt' (%a: i64[3]): operand must be f32, got i64[3]"),
      ok(K::Square, {f32({6, 1})}, {}, "f32[6,1]"),
      bad(K::Square, {i64({6, 1})}, {}, "op 'square' (%a: i64[6,1]): operand must be f32, got i64[6,1]"),
      ok(K::Softplus, {f32({2, 5})}, {}, "f32[2,5]"),
      bad(K::Softplus, {i64({2})}, {}, "op 'softplus' (%a: i64[2]): operand must be f32, got i64[2]"),
      ok(K::Elu, {f32({3, 1})}, {}, "f32[3,1]"),
      bad(K::Elu, {i64({3})}, {}, "op 'elu' (%a: i64[3]): operand must be f32, got i64[3]"),
      ok(K::Abs, {f32({})}, {}, "f32[]"),
      bad(K::Abs, {i64({})}, {}, "op 'abs' (%a: i64[]): operand must be f32, got i64[]"),
      // maximum and minimum broadcast as the arithmetic ops do.
      ok(K::Maximum, {f32({4, 1}), f32({3})}, {}, "f32[4,3]"),
      bad(K::Maximum, {f32({4, 3}), f32({2, 3})}, {}, "op 'maximum' (%a: f32[4,3], %b: f32[2,3]): shapes [4,3] and [2,3] do not broadcast"),
      ok(K::Minimum, {f32({}), f32({2, 2})}, {}, "f32[2,2]"),
      bad(K::Minimum, {i64({2}), f32({2})}, {}, "op 'minimum' (%a: i64[2], %b: f32[2]): left operand must be f32, got i64[2]"),

      // relu_grad(x, g) does not broadcast: both operands have the result's type.
      ok(K::ReluGrad, {f32({2, 3}), f32({2, 3})}, {}, "f32[2,3]"),
      bad(K::ReluGrad, {f32({2, 3}), f32({3})}, {}, "op 'relu_grad' (%a: f32[2,3], %b: f32[3]): operands must have the same type, got f32[2,3] and f32[3]"),

      // matmul with every transpose combination.
      ok(K::MatMul, {f32({2, 3}), f32({3, 4})}, {}, "f32[2,4]"),
      ok(K::MatMul, {f32({3, 2}), f32({3, 4})}, {{"transpose_a", true}}, "f32[2,4]"),
      ok(K::MatMul, {f32({2, 3}), f32({4, 3})}, {{"transpose_b", true}}, "f32[2,4]"),
      ok(K::MatMul, {f32({3, 2}), f32({4, 3})}, {{"transpose_a", true}, {"transpose_b", true}}, "f32[2,4]"),
      ok(K::MatMul, {f32({2, 3}), f32({3, 4})}, {{"transpose_a", false}, {"transpose_b", false}}, "f32[2,4]"),
      bad(K::MatMul, {f32({2, 3}), f32({2, 4})}, {}, "op 'matmul' (%a: f32[2,3], %b: f32[2,4]): inner dimensions differ: 3 vs 2"),
      bad(K::MatMul, {f32({2, 3}), f32({3, 4})}, {{"transpose_b", true}},
          "op 'matmul' (%a: f32[2,3], %b: f32[3,4]): inner dimensions differ: 3 vs 4 (after transposes)"),
      // Batched: [G,M,K]·[G,K,N], the transposes on the last two axes.
      ok(K::MatMul, {f32({5, 2, 3}), f32({5, 3, 4})}, {}, "f32[5,2,4]"),
      ok(K::MatMul, {f32({5, 3, 2}), f32({5, 4, 3})}, {{"transpose_a", true}, {"transpose_b", true}}, "f32[5,2,4]"),
      bad(K::MatMul, {f32({2, 3, 4}), f32({4, 2})}, {}, "op 'matmul' (%a: f32[2,3,4], %b: f32[4,2]): operands must have the same rank (a batched matmul takes [G,M,K] and [G,K,N]), got f32[2,3,4] and f32[4,2]"),
      bad(K::MatMul, {f32({2, 3, 4}), f32({3, 4, 2})}, {}, "op 'matmul' (%a: f32[2,3,4], %b: f32[3,4,2]): batch dimensions differ: 2 vs 3 (f32[2,3,4] and f32[3,4,2])"),
      bad(K::MatMul, {f32({2, 3, 4}), f32({2, 3, 2})}, {}, "op 'matmul' (%a: f32[2,3,4], %b: f32[2,3,2]): inner dimensions differ: 4 vs 3"),
      bad(K::MatMul, {f32({2, 2, 3, 4}), f32({2, 2, 4, 2})}, {}, "op 'matmul' (%a: f32[2,2,3,4], %b: f32[2,2,4,2]): operands must be 2-D f32 matrices or 3-D f32 batches of them, got f32[2,2,3,4] and f32[2,2,4,2]"),
      bad(K::MatMul, {f32({2, 2}), f32({2, 2})}, {{"transpose_a", int64_t{1}}}, "op 'matmul' (%a: f32[2,2], %b: f32[2,2]): attribute 'transpose_a' must be bool, got 1"),

      // Shape ops.
      ok(K::Reshape, {f32({2, 3})}, {{"shape", Ints{6}}}, "f32[6]"),
      ok(K::Reshape, {i64({2, 3})}, {{"shape", Ints{3, 1, 2}}}, "i64[3,1,2]"),
      ok(K::Reshape, {f32({1, 1})}, {{"shape", Ints{}}}, "f32[]"),
      bad(K::Reshape, {f32({2, 3})}, {{"shape", Ints{4}}}, "op 'reshape' (%a: f32[2,3]): cannot reshape f32[2,3] (6 elements) to [4] (4 elements)"),
      bad(K::Reshape, {f32({2, 3})}, {{"shape", Ints{-1, 6}}}, "op 'reshape' (%a: f32[2,3]): shape [-1,6] has a non-positive dimension"),
      bad(K::Reshape, {f32({2, 3})}, {}, "op 'reshape' (%a: f32[2,3]): missing attribute 'shape'"),
      ok(K::Broadcast, {f32({3})}, {{"shape", Ints{2, 3}}}, "f32[2,3]"),
      ok(K::Broadcast, {f32({2, 1})}, {{"shape", Ints{2, 4}}}, "f32[2,4]"),
      ok(K::Broadcast, {f32({})}, {{"shape", Ints{5}}}, "f32[5]"),
      bad(K::Broadcast, {f32({2, 3})}, {{"shape", Ints{3}}}, "op 'broadcast' (%a: f32[2,3]): cannot broadcast f32[2,3] to [3]"),
      bad(K::Broadcast, {f32({2, 3})}, {{"shape", Ints{3, 3}}}, "op 'broadcast' (%a: f32[2,3]): shapes [2,3] and [3,3] do not broadcast"),
      ok(K::Select, {f32({4, 2, 3})}, {{"axis", int64_t{1}}, {"index", int64_t{1}}}, "f32[4,3]"),
      ok(K::Select, {i64({5})}, {{"axis", int64_t{0}}, {"index", int64_t{4}}}, "i64[]"),
      bad(K::Select, {f32({4, 2})}, {{"axis", int64_t{1}}, {"index", int64_t{2}}}, "op 'select' (%a: f32[4,2]): index 2 is out of range for axis 1 of f32[4,2]"),
      bad(K::Select, {f32({4, 2})}, {{"axis", int64_t{2}}, {"index", int64_t{0}}}, "op 'select' (%a: f32[4,2]): axis 2 is out of range for rank 2"),
      bad(K::Select, {f32({4, 2})}, {{"axis", int64_t{0}}}, "op 'select' (%a: f32[4,2]): missing attribute 'index'"),
      ok(K::InsertSlice, {f32({4, 3})}, {{"axis", int64_t{1}}, {"index", int64_t{0}}, {"size", int64_t{5}}}, "f32[4,5,3]"),
      ok(K::InsertSlice, {f32({4, 3})}, {{"axis", int64_t{2}}, {"index", int64_t{4}}, {"size", int64_t{5}}}, "f32[4,3,5]"),
      bad(K::InsertSlice, {f32({4, 3})}, {{"axis", int64_t{0}}, {"index", int64_t{5}}, {"size", int64_t{5}}}, "op 'insert_slice' (%a: f32[4,3]): index 5 is out of range for size 5"),
      bad(K::InsertSlice, {f32({4, 3})}, {{"axis", int64_t{3}}, {"index", int64_t{0}}, {"size", int64_t{2}}}, "op 'insert_slice' (%a: f32[4,3]): axis 3 is out of range for rank 3"),
      ok(K::Stack, {f32({2, 3}), f32({2, 3}), f32({2, 3})}, {{"axis", int64_t{0}}}, "f32[3,2,3]"),
      ok(K::Stack, {f32({2, 3}), f32({2, 3})}, {{"axis", int64_t{2}}}, "f32[2,3,2]"),
      ok(K::Stack, {f32({2}), f32({2})}, {}, "f32[2,2]"),
      bad(K::Stack, {f32({2, 3}), f32({3, 2})}, {{"axis", int64_t{0}}}, "op 'stack' (%a: f32[2,3], %b: f32[3,2]): all parts must have the same type, got f32[2,3] and f32[3,2]"),
      bad(K::Stack, {f32({2}), f32({2})}, {{"axis", int64_t{2}}}, "op 'stack' (%a: f32[2], %b: f32[2]): axis 2 is out of range for rank 2"),
      bad(K::Stack, {}, {{"axis", int64_t{0}}}, "op 'stack' (): takes at least 1 operand(s), got 0"),

      // slice keeps a range of one axis; concat joins along an existing axis; transpose permutes.
      ok(K::Slice, {f32({4, 12})}, {{"axis", int64_t{1}}, {"start", int64_t{3}}, {"size", int64_t{6}}}, "f32[4,6]"),
      ok(K::Slice, {f32({4, 12})}, {{"axis", int64_t{0}}, {"start", int64_t{0}}, {"size", int64_t{4}}}, "f32[4,12]"),
      bad(K::Slice, {f32({4, 12})}, {{"axis", int64_t{1}}, {"start", int64_t{8}}, {"size", int64_t{6}}}, "op 'slice' (%a: f32[4,12]): slice [8, 14) is not inside axis 1 of f32[4,12] (length 12)"),
      bad(K::Slice, {f32({4, 12})}, {{"axis", int64_t{1}}, {"start", int64_t{0}}, {"size", int64_t{0}}}, "op 'slice' (%a: f32[4,12]): slice [0, 0) is not inside axis 1 of f32[4,12] (length 12)"),
      bad(K::Slice, {f32({4, 12})}, {{"axis", int64_t{2}}, {"start", int64_t{0}}, {"size", int64_t{1}}}, "op 'slice' (%a: f32[4,12]): axis 2 is out of range for rank 2"),
      ok(K::Concat, {f32({2, 3}), f32({2, 5}), f32({2, 1})}, {{"axis", int64_t{1}}}, "f32[2,9]"),
      ok(K::Concat, {f32({2, 3}), f32({4, 3})}, {{"axis", int64_t{0}}}, "f32[6,3]"),
      bad(K::Concat, {f32({2, 3}), f32({3, 3})}, {{"axis", int64_t{1}}}, "op 'concat' (%a: f32[2,3], %b: f32[3,3]): parts must agree on every axis but 1, got f32[2,3] and f32[3,3]"),
      bad(K::Concat, {f32({2, 3}), f32({3})}, {{"axis", int64_t{0}}}, "op 'concat' (%a: f32[2,3], %b: f32[3]): parts must agree on every axis but 0, got f32[2,3] and f32[3]"),
      bad(K::Concat, {f32({2, 3})}, {}, "op 'concat' (%a: f32[2,3]): missing attribute 'axis'"),
      ok(K::Transpose, {f32({2, 3, 4})}, {{"perm", Ints{2, 0, 1}}}, "f32[4,2,3]"),
      ok(K::Transpose, {f32({2, 3})}, {{"perm", Ints{1, 0}}}, "f32[3,2]"),
      bad(K::Transpose, {f32({2, 3})}, {{"perm", Ints{0, 0}}}, "op 'transpose' (%a: f32[2,3]): perm [0,0] names axis 0 twice"),
      bad(K::Transpose, {f32({2, 3})}, {{"perm", Ints{0}}}, "op 'transpose' (%a: f32[2,3]): perm [0] must name each of the 2 axes of f32[2,3] once"),
      bad(K::Transpose, {f32({2, 3})}, {{"perm", Ints{0, 2}}}, "op 'transpose' (%a: f32[2,3]): perm axis 2 is out of range for rank 2"),

      // Reductions remove the reduced axes.
      ok(K::ReduceSum, {f32({2, 3, 4})}, {{"axes", Ints{0, 2}}}, "f32[3]"),
      ok(K::ReduceSum, {f32({2, 3, 4})}, {{"axes", Ints{0, 1, 2}}}, "f32[]"),
      bad(K::ReduceSum, {f32({2, 3, 4})}, {{"axes", Ints{2, 0}}}, "op 'reduce_sum' (%a: f32[2,3,4]): axes [2,0] must be strictly increasing"),
      bad(K::ReduceSum, {f32({2, 3})}, {{"axes", Ints{}}}, "op 'reduce_sum' (%a: f32[2,3]): axes must name at least one axis"),
      bad(K::ReduceSum, {f32({2, 3})}, {{"axes", Ints{2}}}, "op 'reduce_sum' (%a: f32[2,3]): axis 2 is out of range for rank 2"),
      ok(K::ReduceMean, {f32({2, 3})}, {{"axes", Ints{1}}}, "f32[2]"),
      ok(K::ReduceMax, {f32({2, 3, 4})}, {{"axes", Ints{0, 2}}}, "f32[3]"),
      bad(K::ReduceMax, {f32({2, 3})}, {{"axes", Ints{2}}}, "op 'reduce_max' (%a: f32[2,3]): axis 2 is out of range for rank 2"),
      bad(K::ReduceMean, {i64({2, 3})}, {{"axes", Ints{1}}}, "op 'reduce_mean' (%a: i64[2,3]): operand must be f32, got i64[2,3]"),
      bad(K::ReduceMean, {f32({2, 3})}, {{"axes", int64_t{1}}}, "op 'reduce_mean' (%a: f32[2,3]): attribute 'axes' must be int list, got 1"),
      ok(K::ArgMax, {f32({2, 5})}, {{"axis", int64_t{1}}}, "i64[2]"),
      ok(K::ArgMax, {f32({7})}, {{"axis", int64_t{0}}}, "i64[]"),
      bad(K::ArgMax, {f32({2, 5})}, {{"axis", int64_t{2}}}, "op 'argmax' (%a: f32[2,5]): axis 2 is out of range for rank 2"),

      // Random draws: an i64[2] seed state, the shape and stream as attributes.
      ok(K::RandomNormal, {i64({2})}, {{"shape", Ints{3, 4}}, {"stream", int64_t{0}}}, "f32[3,4]"),
      bad(K::RandomNormal, {f32({2})}, {{"shape", Ints{3}}, {"stream", int64_t{0}}}, "op 'random_normal' (%a: f32[2]): seed must be i64[2] = [seed, counter], got f32[2]"),
      ok(K::RandomUniform, {i64({2})}, {{"shape", Ints{5}}, {"stream", int64_t{7}}}, "f32[5]"),
      bad(K::RandomUniform, {i64({2})}, {{"shape", Ints{0, 2}}, {"stream", int64_t{1}}}, "op 'random_uniform' (%a: i64[2]): shape [0,2] must have positive dimensions"),

      // Losses.
      ok(K::SoftmaxXent, {f32({4, 3}), i64({4})}, {}, "f32[]"),
      bad(K::SoftmaxXent, {f32({4, 3}), f32({4})}, {}, "op 'softmax_xent' (%a: f32[4,3], %b: f32[4]): labels must be i64[4] to match logits f32[4,3], got f32[4]"),
      bad(K::SoftmaxXent, {f32({4, 3}), i64({5})}, {}, "op 'softmax_xent' (%a: f32[4,3], %b: i64[5]): labels must be i64[4] to match logits f32[4,3], got i64[5]"),
      bad(K::SoftmaxXent, {f32({12}), i64({12})}, {}, "op 'softmax_xent' (%a: f32[12], %b: i64[12]): logits must be a 2-D f32 tensor [N,C], got f32[12]"),
      ok(K::SoftmaxXentGrad, {f32({4, 3}), i64({4}), f32({})}, {}, "f32[4,3]"),
      bad(K::SoftmaxXentGrad, {f32({4, 3}), i64({4}), f32({1})}, {}, "op 'softmax_xent_grad' (%a: f32[4,3], %b: i64[4], %c: f32[1]): incoming gradient must be f32[], got f32[1]"),

      ok(K::SoftmaxXentRows, {f32({4, 3}), i64({4})}, {}, "f32[4]"),
      bad(K::SoftmaxXentRows, {f32({4, 3}), i64({3})}, {}, "op 'softmax_xent_rows' (%a: f32[4,3], %b: i64[3]): labels must be i64[4] to match logits f32[4,3], got i64[3]"),
      ok(K::SoftmaxXentRowsGrad, {f32({4, 3}), i64({4}), f32({4})}, {}, "f32[4,3]"),
      bad(K::SoftmaxXentRowsGrad, {f32({4, 3}), i64({4}), f32({})}, {}, "op 'softmax_xent_rows_grad' (%a: f32[4,3], %b: i64[4], %c: f32[]): incoming gradient must be f32[4], got f32[]"),

      // A fused region's type comes from its body (see the fused test below), never from the rule.
      bad(K::Fused, {f32({2, 3})}, {{"kind", std::string("elementwise")}},
          "op 'fused' (%a: f32[2,3]): a fused region is made with Graph::createFused"),

      // The optimizer update has no result.
      ok(K::AdamUpdate, {f32({2, 3}), f32({2, 3}), f32({2, 3}), f32({2, 3}), f32({5})}, {}, "()"),
      bad(K::AdamUpdate, {f32({2, 3}), f32({2, 4}), f32({2, 3}), f32({2, 3}), f32({5})}, {}, "op 'adam_update' (%a: f32[2,3], %b: f32[2,4], %c: f32[2,3], %d: f32[2,3], %e: f32[5]): grad must be f32[2,3] like the param, got f32[2,4]"),
      bad(K::AdamUpdate, {f32({3}), f32({3}), f32({3}), f32({3}), f32({4})}, {}, "op 'adam_update' (%a: f32[3], %b: f32[3], %c: f32[3], %d: f32[3], %e: f32[4]): hyper must be f32[5] = [lr, beta1, beta2, eps, t] or f32[K,5] (one row per member), got f32[4]"),
      ok(K::AdamUpdate, {f32({4, 3}), f32({4, 3}), f32({4, 3}), f32({4, 3}), f32({4, 5})}, {}, "()"),
      bad(K::AdamUpdate, {f32({4, 3}), f32({4, 3}), f32({4, 3}), f32({4, 3}), f32({3, 5})}, {}, "op 'adam_update' (%a: f32[4,3], %b: f32[4,3], %c: f32[4,3], %d: f32[4,3], %e: f32[3,5]): hyper f32[K,5] holds one row per member of the param's leading axis, so K must be 4, got 3"),
      ok(K::SgdUpdate, {f32({2, 3}), f32({2, 3}), f32({2, 3}), f32({3})}, {}, "()"),
      bad(K::SgdUpdate, {f32({2, 3}), f32({2, 3}), f32({3, 2}), f32({3})}, {}, "op 'sgd_update' (%a: f32[2,3], %b: f32[2,3], %c: f32[3,2], %d: f32[3]): velocity must be f32[2,3] like the param, got f32[3,2]"),
      bad(K::SgdUpdate, {f32({3}), f32({3}), f32({3}), f32({5})}, {}, "op 'sgd_update' (%a: f32[3], %b: f32[3], %c: f32[3], %d: f32[5]): hyper must be f32[3] = [lr, momentum, t] or f32[K,3] (one row per member), got f32[5]"),
      ok(K::SgdUpdate, {f32({2, 3}), f32({2, 3}), f32({2, 3}), f32({2, 3})}, {}, "()"),
      bad(K::SgdUpdate, {f32({}), f32({}), f32({}), f32({1, 3})}, {}, "op 'sgd_update' (%a: f32[], %b: f32[], %c: f32[], %d: f32[1,3]): hyper f32[K,3] holds one row per member of the param's leading axis, so K must be that axis, but the param is a scalar"),
  };
  return cases;
}

/// Inputs %a, %b, ... of \p types in \p g.
std::vector<Node*> makeOperands(Builder& b, const std::vector<TensorType>& types) {
  std::vector<Node*> ops;
  for (size_t i = 0; i < types.size(); ++i) ops.push_back(b.input(std::string(1, char('a' + i)), types[i]));
  return ops;
}

/// The declaration of each leaf with the type it must get (leaves are declared, not inferred).
Node* declareLeaf(Builder& b, OpKind kind) {
  switch (kind) {
    case OpKind::Input: return b.input("x", TensorType::i64({16}));
    case OpKind::Param: return b.param("w", {3, 4}, "kaiming_normal(1)");
    case OpKind::State: return b.state("s", TensorType::f32({5}));
    case OpKind::Constant: return b.constant(0.5, {2, 3});
    default: return nullptr;
  }
}

std::string leafType(OpKind kind) {
  switch (kind) {
    case OpKind::Input: return "i64[16]";
    case OpKind::Param: return "f32[3,4]";
    case OpKind::State: return "f32[5]";
    case OpKind::Constant: return "f32[2,3]";
    default: return "";
  }
}

}  // namespace

TEST_CASE("shape rules: accepted operands give the expected result type", "[ops][shape]") {
  for (const ShapeCase& c : shapeCases()) {
    if (!c.accepted) continue;
    Graph g("t");
    Builder b(g);
    std::vector<Node*> ops = makeOperands(b, c.operands);
    INFO("op " << opName(c.kind) << " on " << describeOperands(ops));
    Node* n = nullptr;
    REQUIRE_NOTHROW(n = b.create(c.kind, ops, c.attrs));
    CHECK(n->type().str() == c.expect);
    CHECK(n->kind() == c.kind);
  }
}

TEST_CASE("shape rules: rejected operands name the op, the operands and the reason", "[ops][shape]") {
  for (const ShapeCase& c : shapeCases()) {
    if (c.accepted) continue;
    Graph g("t");
    Builder b(g);
    std::vector<Node*> ops = makeOperands(b, c.operands);
    INFO("op " << opName(c.kind) << " on " << describeOperands(ops));
    size_t before = g.size();
    CHECK_THROWS_MATCHES(b.create(c.kind, ops, c.attrs), Error, Catch::Matchers::Message(c.expect));
    CHECK(g.size() == before);  // a rejected node is not left behind
  }
}

TEST_CASE("shape rules: leaves get their declared type", "[ops][shape]") {
  for (OpKind k : {OpKind::Input, OpKind::Param, OpKind::State, OpKind::Constant}) {
    Graph g("t");
    Builder b(g);
    Node* n = declareLeaf(b, k);
    REQUIRE(n != nullptr);
    CHECK(n->kind() == k);
    CHECK(n->type().str() == leafType(k));
    CHECK(n->isLeaf());
  }
}

TEST_CASE("shape rules: a fused region takes its body's result type", "[ops][shape]") {
  Graph g("t");
  Builder b(g);
  Node* x = b.input("x", TensorType::f32({4, 8}));
  Node* bias = b.input("bias", TensorType::f32({8}));
  auto body = std::make_unique<Graph>("region");
  Builder in(*body);
  Node* p0 = in.input("p0", TensorType::f32({4, 8}));  // parameters in operand order
  Node* p1 = in.input("p1", TensorType::f32({8}));
  Node* sum = in.add(p0, p1);
  body->addOutput(in.argmax(in.relu(sum), 1));
  Node* f = g.createFused({x, bias}, std::move(body), {{"kind", std::string("elementwise")}}, "f", Stage::Fwd);
  CHECK(f->kind() == OpKind::Fused);
  CHECK(f->type().str() == "i64[4]");
  CHECK(f->body()->size() == 5);
}

TEST_CASE("shape rules: the builder's helpers run the same rules", "[ops][shape]") {
  Graph g("t");
  Builder b(g);
  Node* x = b.input("x", TensorType::f32({16, 64}));
  Node* bias = b.input("bias", TensorType::f32({3}));
  CHECK_THROWS_MATCHES(b.add(x, bias), Error,
                       Catch::Matchers::Message("op 'add' (%x: f32[16,64], %bias: f32[3]): shapes [16,64] and [3] do not broadcast"));
  CHECK(b.matmul(x, x, true, false)->type().str() == "f32[64,64]");
  CHECK(b.matmul(x, x, false, true)->type().str() == "f32[16,16]");
  CHECK(b.stack({bias, bias}, 1)->type().str() == "f32[3,2]");
  CHECK(b.insertSlice(bias, 0, 2, 4)->type().str() == "f32[4,3]");
  // unbroadcast sums the axes broadcasting added or stretched.
  Node* gsum = b.unbroadcast(b.broadcast(bias, {5, 3}), {3});
  CHECK(gsum->type().str() == "f32[3]");
  Node* col = b.input("col", TensorType::f32({5, 1}));
  CHECK(b.unbroadcast(b.broadcast(col, {2, 5, 4}), {5, 1})->type().str() == "f32[5,1]");
}

TEST_CASE("shape rules: every op has an accepted and a rejected case", "[ops][shape]") {
  std::set<int> accepted, rejected;
  for (const ShapeCase& c : shapeCases()) (c.accepted ? accepted : rejected).insert(static_cast<int>(c.kind));
  for (OpKind k : {OpKind::Input, OpKind::Param, OpKind::State, OpKind::Constant})
    if (!leafType(k).empty()) accepted.insert(static_cast<int>(k));
  accepted.insert(static_cast<int>(OpKind::Fused));  // "a fused region takes its body's result type"
  for (int k = 0; k < kNumOps; ++k) {
    INFO("op '" << opName(static_cast<OpKind>(k)) << "' needs shape cases in tests/test_shape_rules.cpp");
    CHECK(accepted.count(k) == 1);
    CHECK(rejected.count(k) == 1);
  }
}

TEST_CASE("shape rules: broadcast to a non-positive dimension is rejected", "[ops][shape]") {
  Graph g("t");
  Builder b(g);
  Node* bias = b.input("bias", TensorType::f32({3}));
  CHECK_THROWS_AS(b.broadcast(bias, {-1, 3}), Error);
  CHECK_THROWS_AS(b.broadcast(bias, {0, 3}), Error);
}

TEST_CASE("shape rules: Builder::create refuses leaves (they are declared)", "[ops][shape]") {
  Graph g("t");
  Builder b(g);
  CHECK_THROWS_AS(b.create(OpKind::Input, {}), Error);
  CHECK_THROWS_AS(b.create(OpKind::Constant, {}, {{"value", 1.0}}), Error);
}
