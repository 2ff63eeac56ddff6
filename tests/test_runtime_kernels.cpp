// Every op's runtime kernel against the reference evaluator, on several shapes including the
// broadcast ones. The case table is keyed by op, and a test fails if a computing op has none.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <random>

#include "ops/builder.h"
#include "graph/passes/passes.h"
#include "runtime/reference/evaluator.h"
#include "runtime/session.h"
#include "ops/op_table.h"
#include "runtime/kernels/kernel.h"
#include "bind_util.h"
#include "runtime/target/fusion_rules.h"

using namespace mnemo;

namespace {

/// How many matmuls the region that computes \p g's first output holds (0 if no region does).
int matmulsInResultRegion(const Graph& g) {
  const Node* out = g.outputs()[0];
  if (out->kind() != OpKind::Fused) return 0;
  int count = 0;
  for (const Node* n : out->body()->nodes()) count += n->kind() == OpKind::MatMul;
  return count;
}

/// A case builds a small graph whose outputs (or, for side effects, whose params and state) are
/// compared after one run.
using CaseFn = std::function<void(Builder& b)>;

Node* in(Builder& b, const std::string& name, Dims dims) { return b.input(name, TensorType::f32(std::move(dims))); }

std::map<OpKind, std::vector<CaseFn>> kernelCases() {
  std::map<OpKind, std::vector<CaseFn>> c;
  auto binary = [](OpKind k, Dims a, Dims bd) {
    return [=](Builder& b) { b.graph().addOutput(b.create(k, {in(b, "a", a), in(b, "b", bd)})); };
  };
  auto unary = [](OpKind k, Dims d) { return [=](Builder& b) { b.graph().addOutput(b.create(k, {in(b, "a", d)})); }; };
  // Every elementwise op with a scalar function, from its row: unary ops at two sizes, broadcast
  // binary ops in every broadcast form (the oneDNN path and the loop's).
  for (int i = 0; i < kNumOps; ++i) {
    const OpInfo& info = opInfo(static_cast<OpKind>(i));
    const OpKind k = info.kind;
    if (info.elementwise.scalar.arity == 1) c[k] = {unary(k, {16, 64}), unary(k, {7})};
    if (info.elementwise.scalar.arity == 2 && info.hasFlag(kBroadcast))
      c[k] = {binary(k, {16, 64}, {16, 64}), binary(k, {16, 64}, {64}), binary(k, {16, 64}, {16, 1}),
              binary(k, {64}, {16, 64}), binary(k, {16, 1}, {1, 64}), binary(k, {5, 3}, {}), binary(k, {}, {5, 3}),
              binary(k, {100, 16, 3}, {3}), binary(k, {1, 3}, {40, 3}), binary(k, {7, 600}, {1, 600})};
  }
  // Random draws: the same double as the reference, rounded to f32 (any seed state bindBoth picks).
  for (OpKind k : {OpKind::RandomNormal, OpKind::RandomUniform})
    c[k] = {[k](Builder& b) {
      b.graph().addOutput(b.create(k, {b.state("seed", TensorType::i64({2}))}, {{"shape", Dims{16, 64}}, {"stream", int64_t{5}}}));
    }};
  c[OpKind::ReluGrad] = {binary(OpKind::ReluGrad, {16, 64}, {16, 64})};
  c[OpKind::Equal].push_back([](Builder& b) {  // equal values, so 1.0 is checked too
    Node* a = in(b, "a", {4, 6});
    b.graph().addOutput(b.create(OpKind::Equal, {a, b.add(b.mul(a, b.constant(0.0)), a)}));
  });
  c[OpKind::Where] = {[](Builder& b) {
                        b.graph().addOutput(b.create(OpKind::Where, {in(b, "c", {16, 1}), in(b, "a", {16, 64}), in(b, "b", {64})}));
                      },
                      [](Builder& b) {
                        Node* cond = b.create(OpKind::Greater, {in(b, "x", {16, 64}), b.constant(0.0)});
                        b.graph().addOutput(b.create(OpKind::Where, {cond, in(b, "a", {16, 64}), b.constant(-1.0)}));
                      }};
  auto slice = [](Dims d, int64_t axis, int64_t start, int64_t size) {
    return [=](Builder& b) {
      b.graph().addOutput(b.create(OpKind::Slice, {in(b, "a", d)}, {{"axis", axis}, {"start", start}, {"size", size}}));
    };
  };
  c[OpKind::Slice] = {slice({16, 256}, 1, 64, 64), slice({5, 4, 3}, 0, 1, 3), slice({5, 4, 3}, 2, 2, 1)};
  c[OpKind::Concat] = {[](Builder& b) {
                         b.graph().addOutput(b.create(OpKind::Concat, {in(b, "a", {16, 64}), in(b, "b", {16, 3})},
                                                      {{"axis", int64_t{1}}}));
                       },
                       [](Builder& b) {
                         b.graph().addOutput(b.create(
                             OpKind::Concat, {in(b, "a", {2, 4, 3}), in(b, "b", {5, 4, 3}), in(b, "c", {1, 4, 3})},
                             {{"axis", int64_t{0}}}));
                       }};
  auto transpose = [](Dims d, std::vector<int64_t> perm) {
    return [=](Builder& b) { b.graph().addOutput(b.create(OpKind::Transpose, {in(b, "a", d)}, {{"perm", perm}})); };
  };
  c[OpKind::Transpose] = {transpose({16, 64}, {1, 0}), transpose({4, 5, 6}, {2, 0, 1}), transpose({4, 5, 6}, {0, 2, 1})};
  auto mm = [](Dims a, Dims bd, bool ta, bool tb) {
    return [=](Builder& b) { b.graph().addOutput(b.matmul(in(b, "a", a), in(b, "b", bd), ta, tb)); };
  };
  c[OpKind::MatMul] = {mm({16, 64}, {64, 64}, false, false), mm({64, 16}, {64, 64}, true, false),
                       mm({16, 64}, {3, 64}, false, true), mm({64, 16}, {32, 64}, true, true),
                       mm({1600, 2}, {2, 64}, false, false),
                       // Batched: one product per leading index (an ensemble's members).
                       mm({4, 16, 64}, {4, 64, 64}, false, false), mm({3, 64, 16}, {3, 64, 32}, true, false),
                       mm({3, 16, 64}, {3, 5, 64}, false, true), mm({2, 37, 13}, {2, 19, 37}, true, true)};
  c[OpKind::Reshape] = {[](Builder& b) { b.graph().addOutput(b.exp(b.reshape(in(b, "a", {4, 6}), {2, 12}))); }};
  c[OpKind::Broadcast] = {[](Builder& b) { b.graph().addOutput(b.broadcast(in(b, "a", {6}), {4, 6})); },
                          [](Builder& b) { b.graph().addOutput(b.broadcast(in(b, "a", {4, 1}), {3, 4, 6})); }};
  c[OpKind::Select] = {[](Builder& b) { b.graph().addOutput(b.exp(b.select(in(b, "a", {5, 4, 3}), 0, 2))); },
                       [](Builder& b) { b.graph().addOutput(b.select(in(b, "a", {5, 4, 3}), 1, 3)); },
                       [](Builder& b) { b.graph().addOutput(b.select(in(b, "a", {5, 4, 3}), 2, 0)); }};
  c[OpKind::InsertSlice] = {[](Builder& b) { b.graph().addOutput(b.insertSlice(in(b, "a", {4, 3}), 0, 2, 5)); },
                            [](Builder& b) { b.graph().addOutput(b.insertSlice(in(b, "a", {4, 3}), 1, 0, 2)); }};
  c[OpKind::Stack] = {[](Builder& b) {
                        b.graph().addOutput(b.stack({in(b, "a", {4, 3}), in(b, "b", {4, 3}), in(b, "c", {4, 3})}, 0));
                      },
                      [](Builder& b) { b.graph().addOutput(b.stack({in(b, "a", {4, 3}), in(b, "b", {4, 3})}, 1)); }};
  auto reduce = [](OpKind k, Dims d, std::vector<int64_t> axes) {
    return [=](Builder& b) { b.graph().addOutput(b.create(k, {in(b, "a", d)}, {{"axes", axes}})); };
  };
  for (OpKind k : {OpKind::ReduceSum, OpKind::ReduceMean})
    c[k] = {reduce(k, {1600, 64}, {0}), reduce(k, {16, 64}, {1}), reduce(k, {4, 5, 6}, {0, 2}),
            reduce(k, {4, 5, 6}, {1, 2}), reduce(k, {4, 5}, {0, 1}), reduce(k, {8, 100, 64}, {1}), reduce(k, {3, 4, 5, 6}, {1, 2}),
            reduce(k, {37, 70}, {0}), reduce(k, {5, 3, 130}, {0, 1})};  // a full block of 64 columns and a remainder
  c[OpKind::ReduceMax] = {reduce(OpKind::ReduceMax, {16, 3}, {1}), reduce(OpKind::ReduceMax, {4, 5, 6}, {0, 2}),
                          reduce(OpKind::ReduceMax, {4, 5}, {0, 1})};
  c[OpKind::ArgMax] = {[](Builder& b) { b.graph().addOutput(b.argmax(in(b, "a", {16, 3}), 1)); },
                       [](Builder& b) { b.graph().addOutput(b.argmax(in(b, "a", {4, 5, 3}), 0)); }};
  auto xent = [](bool grad) {
    return [=](Builder& b) {
      Node* z = in(b, "z", {1600, 3});
      Node* y = b.input("y", TensorType::i64({1600}));
      if (!grad) b.graph().addOutput(b.softmaxXent(z, y));
      else b.graph().addOutput(b.create(OpKind::SoftmaxXentGrad, {z, y, in(b, "g", {})}));
    };
  };
  c[OpKind::SoftmaxXent] = {xent(false)};
  c[OpKind::SoftmaxXentGrad] = {xent(true)};
  auto xentRows = [](bool grad) {
    return [=](Builder& b) {
      Node* z = in(b, "z", {1600, 3});
      Node* y = b.input("y", TensorType::i64({1600}));
      if (!grad) b.graph().addOutput(b.create(OpKind::SoftmaxXentRows, {z, y}));
      else b.graph().addOutput(b.create(OpKind::SoftmaxXentRowsGrad, {z, y, in(b, "g", {1600})}));
    };
  };
  c[OpKind::SoftmaxXentRows] = {xentRows(false)};
  c[OpKind::SoftmaxXentRowsGrad] = {xentRows(true)};
  c[OpKind::AdamUpdate] = {[](Builder& b) {
    Node* p = b.param("p", {16, 8});
    Node* g = in(b, "g", {16, 8});
    Node* m = b.state("m", TensorType::f32({16, 8}));
    Node* v = b.state("v", TensorType::f32({16, 8}));
    Node* h = b.state("hyper", TensorType::f32({5}));
    b.setStage(Stage::Opt);
    b.create(OpKind::AdamUpdate, {p, g, m, v, h});
  }};
  // One hyper row per member of a stacked param: each member's block at its own lr and step.
  c[OpKind::AdamUpdate].push_back([](Builder& b) {
    Node* p = b.param("p", {4, 6, 5});
    Node* g = in(b, "g", {4, 6, 5});
    Node* m = b.state("m", TensorType::f32({4, 6, 5}));
    Node* v = b.state("v", TensorType::f32({4, 6, 5}));
    Node* h = b.state("hyper", TensorType::f32({4, 5}));
    b.setStage(Stage::Opt);
    b.create(OpKind::AdamUpdate, {p, g, m, v, h});
  });
  c[OpKind::SgdUpdate] = {[](Builder& b) {
    Node* p = b.param("p", {16, 8});
    Node* g = in(b, "g", {16, 8});
    Node* v = b.state("v", TensorType::f32({16, 8}));
    Node* h = b.state("hyper", TensorType::f32({3}));
    b.setStage(Stage::Opt);
    b.create(OpKind::SgdUpdate, {p, g, v, h});
  }};
  c[OpKind::SgdUpdate].push_back([](Builder& b) {
    Node* p = b.param("p", {3, 40});
    Node* g = in(b, "g", {3, 40});
    Node* v = b.state("v", TensorType::f32({3, 40}));
    Node* h = b.state("hyper", TensorType::f32({3, 3}));
    b.setStage(Stage::Opt);
    b.create(OpKind::SgdUpdate, {p, g, v, h});
  });
  // Fused regions, made by the fusion passes from small graphs: a matmul with post-ops (full,
  // per-column and scalar operands, constants, sub with the result on the left) and an
  // elementwise loop with a broadcast bias, a scalar and relu_grad.
  auto fuse = [](std::unique_ptr<Pass> pass, Graph& g) {
    PassContext ctx;
    REQUIRE(pass->run(g, ctx));
  };
  c[OpKind::Fused] = {
      [=](Builder& b) {
        Node* m = b.matmul(in(b, "a", {16, 64}), in(b, "w", {64, 32}));
        Node* y = b.relu(b.add(b.add(in(b, "full", {16, 32}), m), in(b, "bias", {32})));
        Node* z = b.sub(b.mul(y, b.constant(0.5)), in(b, "one", {}));
        b.graph().addOutput(b.tanh(b.add(z, b.constant(0.25))));
        fuse(createFuseMatmulEpiloguePass(false), b.graph());
      },
      [=](Builder& b) {
        Node* m = b.matmul(in(b, "a", {32, 16}), in(b, "w", {8, 32}), true, true);
        b.graph().addOutput(b.sigmoid(b.sub(b.constant(1.0), m)));
        fuse(createFuseMatmulEpiloguePass(false), b.graph());
      },
      // The same on mnemo's micro-kernel, plus what only its epilogue takes (relu_grad, the
      // running value on the right of sub and div), a transposed B and an N that is not a
      // multiple of the vector width.
      [=](Builder& b) {
        Node* m = b.matmul(in(b, "a", {16, 64}), in(b, "w", {64, 32}));
        Node* y = b.relu(b.add(b.add(in(b, "full", {16, 32}), m), in(b, "bias", {32})));
        Node* z = b.div(b.sub(b.mul(y, b.constant(0.5)), in(b, "col", {1, 32})), in(b, "den", {16, 32}));
        b.graph().addOutput(b.reluGrad(in(b, "x", {16, 32}), b.sub(b.constant(0.25), z)));
        fuse(createFuseMatmulEpiloguePass(true), b.graph());
      },
      [=](Builder& b) {
        Node* m = b.matmul(in(b, "a", {37, 13}), in(b, "w", {19, 37}), true, true);
        b.graph().addOutput(b.create(OpKind::Maximum, {in(b, "floor", {19}), b.sub(b.constant(1.0), m)}));
        fuse(createFuseMatmulEpiloguePass(true), b.graph());
      },
      // A batched matmul: oneDNN post-ops with full, per-column and scalar operands (the
      // micro-kernel refuses a batched matmul, so the region runs on oneDNN either way).
      [=](Builder& b) {
        Node* m = b.matmul(in(b, "a", {3, 16, 64}), in(b, "w", {3, 64, 32}));
        Node* y = b.relu(b.add(b.add(in(b, "full", {3, 16, 32}), m), in(b, "bias", {32})));
        b.graph().addOutput(b.sub(b.mul(y, b.constant(0.5)), in(b, "one", {})));
        fuse(createFuseMatmulEpiloguePass(true), b.graph());
      },
      // Batched on the micro-kernel: its products one after another, the epilogue in registers
      // with full operands advancing per product; and a transposed A and B.
      [=](Builder& b) {
        Node* m = b.matmul(in(b, "a", {3, 16, 64}), in(b, "w", {3, 64, 64}));
        Node* y = b.relu(b.add(in(b, "full", {3, 16, 64}), m));
        b.graph().addOutput(b.reluGrad(in(b, "x", {3, 16, 64}), b.mul(y, b.constant(0.5))));
        const bool micro = microMatmul(m).ok;  // no on a CPU without AVX2
        fuse(createFuseMatmulEpiloguePass(true), b.graph());
        if (micro) REQUIRE(b.graph().nodes().back()->attr<std::string>("kernel") == kMicroKernel);
      },
      [=](Builder& b) {
        Node* m = b.matmul(in(b, "a", {2, 13, 37}), in(b, "w", {2, 19, 13}), true, true);
        b.graph().addOutput(b.sub(m, in(b, "full", {2, 37, 19})));
        const bool micro = microMatmul(m).ok;
        fuse(createFuseMatmulEpiloguePass(true), b.graph());
        if (micro) REQUIRE(b.graph().nodes().back()->attr<std::string>("kernel") == kMicroKernel);
      },
      // A shallow second product added into the recurrent step's tile (microSecondProduct):
      // x·W_in beside h·W with the epilogue in registers; a transposed B₂ (a readout gradient
      // g·W_roᵀ) whose chain goes on as spans (div is no register step); and 5 inputs over 21
      // columns (remainder rows and lanes).
      [=](Builder& b) {
        Node* m = b.matmul(in(b, "h", {16, 64}), in(b, "w", {64, 64}));
        Node* x = b.matmul(in(b, "x", {16, 2}), in(b, "wi", {2, 64}));
        b.graph().addOutput(b.relu(b.add(b.add(x, m), in(b, "bias", {64}))));
        const bool micro = microSecondProduct(x).ok;
        fuse(createFuseMatmulEpiloguePass(true), b.graph());
        if (micro) REQUIRE(matmulsInResultRegion(b.graph()) == 2);
      },
      [=](Builder& b) {
        Node* m = b.matmul(in(b, "d", {16, 64}), in(b, "w", {64, 64}));
        Node* g = b.matmul(in(b, "g", {16, 3}), in(b, "wo", {64, 3}), false, true);
        b.graph().addOutput(b.div(b.reluGrad(in(b, "hx", {16, 64}), b.add(m, g)), in(b, "den", {16, 64})));
        const bool micro = microSecondProduct(g).ok;
        fuse(createFuseMatmulEpiloguePass(true), b.graph());
        if (micro) REQUIRE(matmulsInResultRegion(b.graph()) == 2);
      },
      [=](Builder& b) {
        Node* m = b.matmul(in(b, "h", {13, 40}), in(b, "w", {40, 21}));
        Node* x = b.matmul(in(b, "x", {13, 5}), in(b, "wi", {5, 21}));
        b.graph().addOutput(b.sub(b.add(m, x), in(b, "col", {21})));
        const bool micro = microSecondProduct(x).ok;
        fuse(createFuseMatmulEpiloguePass(true), b.graph());
        if (micro) REQUIRE(matmulsInResultRegion(b.graph()) == 2);
      },
      [=](Builder& b) {
        Node* g = b.add(in(b, "a", {16, 64}), in(b, "c", {16, 64}));
        Node* s = b.mul(b.sub(g, in(b, "bias", {64})), b.constant(2.0));
        Node* t = b.div(b.exp(b.neg(s)), in(b, "col", {16, 1}));
        b.graph().addOutput(b.reluGrad(in(b, "x", {16, 64}), b.add(t, b.square(g))));
        fuse(createFuseElementwisePass(), b.graph());
      },
      [=](Builder& b) {  // more elements than one tile of the loop
        Node* g = b.mul(in(b, "a", {1600, 3}), in(b, "bias", {3}));
        b.graph().addOutput(b.log(b.add(b.sqrt(b.square(g)), b.constant(1.0))));
        fuse(createFuseElementwisePass(), b.graph());
      },
  };
  return c;
}

/// Random values for every input, param and state, shared by both evaluators; values stay away
/// from relu's kink and from where log, sqrt and div are undefined.
void bindBoth(const Graph& g, ReferenceEvaluator& ref, Session& s, uint64_t seed) {
  testing::bindLeavesAlike(g, s, ref, seed, [](const Node* n, std::mt19937_64& rng, std::vector<float>& v) {
    std::uniform_real_distribution<float> mag(0.2f, 2.0f);
    for (auto& x : v) x = (rng() % 2 ? 1.f : -1.f) * mag(rng);
    bool positive = n->kind() == OpKind::State || n->name() == "b";
    for (const Use& u : n->uses())
      positive = positive || u.user->kind() == OpKind::Log || u.user->kind() == OpKind::Sqrt;
    if (positive) for (auto& x : v) x = std::abs(x);
    if (n->name() == "hyper" && v.size() == 5) v = {1e-3f, 0.9f, 0.999f, 1e-8f, 3.f};  // adam
    if (n->name() == "hyper" && v.size() == 3) v = {0.1f, 0.9f, 3.f};                  // sgd
    if (n->name() == "hyper" && n->dims().size() == 2) {  // a row per member: lr and step differ
      const int64_t width = n->dims()[1];
      for (int64_t row = 0; row < n->dims()[0]; ++row) {
        const float lr = 1e-3f * static_cast<float>(std::pow(10.0, static_cast<double>(row)) / 2);
        const std::vector<float> adam = {lr, 0.9f, 0.999f, 1e-8f, static_cast<float>(3 + row)};
        const std::vector<float> sgd = {lr, 0.5f + 0.1f * static_cast<float>(row), static_cast<float>(3 + row)};
        std::copy_n((width == 5 ? adam : sgd).begin(), width, v.begin() + row * width);
      }
    }
  });
}

void compare(const std::vector<float>& got, const RefTensor& want, const std::string& what) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO(what << "[" << i << "]");
    // oneDNN's jit exp/log/tanh use polynomial approximations good to ~1e-5 relative.
    REQUIRE(got[i] == Approx(want[i]).epsilon(1e-4).margin(1e-5));
  }
}

}  // namespace

TEST_CASE("every computing op has runtime kernel cases", "[runtime]") {
  auto cases = kernelCases();
  for (int k = 0; k < kNumOps; ++k) {
    const OpInfo& info = opInfo(static_cast<OpKind>(k));
    if (info.category == Category::Leaf) continue;
    INFO("op " << info.name);
    CHECK(cases.count(info.kind) == 1);
  }
}

TEST_CASE("runtime kernels match the reference evaluator", "[runtime]") {
  for (auto& [kind, fns] : kernelCases()) {
    for (size_t i = 0; i < fns.size(); ++i) {
      Graph g(std::string(opName(kind)) + "_" + std::to_string(i));
      Builder b(g);
      fns[i](b);
      ReferenceEvaluator ref(g);
      Session s(g);
      bindBoth(g, ref, s, 42 + i);
      ref.run();
      s.executable().run(Stage::Opt);
      INFO("graph @" << g.name());
      for (const Node* out : g.outputs()) {
        if (out->type().dtype == DType::I64) {
          const int64_t* got = reinterpret_cast<const int64_t*>(s.executable().address(out));
          const RefTensor& want = ref.value(out);
          for (size_t e = 0; e < want.size(); ++e) REQUIRE(static_cast<double>(got[e]) == want[e]);
        } else {
          compare(s.getF32(out->name()), ref.value(out), out->name());
        }
      }
      if (kind == OpKind::AdamUpdate)
        for (const char* name : {"p", "m", "v"}) compare(s.getF32(name), ref.value(std::string(name)), name);
      if (kind == OpKind::SgdUpdate)
        for (const char* name : {"p", "v"}) compare(s.getF32(name), ref.value(std::string(name)), name);
    }
  }
}

TEST_CASE("no oneDNN primitive falls back to reference code", "[runtime]") {
  for (auto& [kind, fns] : kernelCases()) {
    for (auto& fn : fns) {
      Graph g("impl");
      Builder b(g);
      fn(b);
      Session s(g);
      for (const auto& k : s.executable().kernels()) {
        INFO("op " << opName(kind) << ": kernel " << k->impl());
        CHECK(k->impl().rfind("onednn:ref", 0) != 0);
      }
    }
  }
}

TEST_CASE("a label outside the classes is a clear error, not a crash", "[runtime]") {
  Graph g("bad_label");
  Builder b(g);
  Node* z = b.input("z", TensorType::f32({2, 3}));
  Node* y = b.input("y", TensorType::i64({2}));
  g.addOutput(b.softmaxXent(z, y));
  Session s(g);
  s.setI64("y", std::vector<int64_t>{1, 7});
  REQUIRE_THROWS_WITH(s.forward(), Catch::Contains("label 7 at position 1"));
}
