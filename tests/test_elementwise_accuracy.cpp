// Every unary elementwise op, run by the runtime as its own kernel (whatever implements it:
// oneDNN's eltwise or mnemo's loop), against the double-precision reference over a grid of
// inputs: within 8 float ulps of the exact result, where an ulp is that of the result (no
// absolute slack, so an answer near zero must be near zero in relative terms too: log near 1,
// softplus far below 0, elu near 0). Results below 1e-30 are left out: oneDNN's sigmoid flushes
// sigmoid(-87) = 1.6e-38 to 0. (oneDNN's exp reaches 4.3 ulps at x = 65, its sigmoid 2.8.) oneDNN 2.6's log, soft_relu and elu fail this (up to
// 1.4e-6 absolute for log(1), 2% for softplus(-9.8), 200 ulps for elu(-0.001)); those ops run on
// mnemo's loops instead.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "ops/builder.h"
#include "ops/op_table.h"
#include "runtime/reference/evaluator.h"
#include "runtime/session.h"

using namespace mnemo;

namespace {

/// Inputs of both signs over many magnitudes, plus the values next to 0 and 1.
std::vector<float> gridFor(OpKind kind) {
  std::vector<float> xs;
  for (int e = -20; e <= 9; ++e)
    for (int m = 0; m < 64; ++m) {
      const float x = std::ldexp(1.0f + static_cast<float>(m) / 64.f, e);
      xs.push_back(x);
      xs.push_back(-x);
    }
  for (float x : {0.f, 1.f, std::nextafter(1.f, 2.f), std::nextafter(1.f, 0.f), 1.001f, 0.999f}) xs.push_back(x);
  if (kind == OpKind::Log || kind == OpKind::Sqrt)  // defined for x > 0 only
    xs.erase(std::remove_if(xs.begin(), xs.end(), [](float x) { return !(x > 0.f); }), xs.end());
  if (kind == OpKind::Exp || kind == OpKind::Square)  // keep the results finite in float
    xs.erase(std::remove_if(xs.begin(), xs.end(), [](float x) { return std::fabs(x) > 80.f; }), xs.end());
  return xs;
}

}  // namespace

TEST_CASE("every unary elementwise op's kernel is within 8 ulps of the exact result", "[runtime][accuracy]") {
  int checked = 0;
  for (int k = 0; k < kNumOps; ++k) {
    const OpInfo& info = opInfo(static_cast<OpKind>(k));
    if (info.category != Category::Elementwise || info.elementwise.scalar.arity != 1) continue;
    const OpKind kind = static_cast<OpKind>(k);
    const std::vector<float> xs = gridFor(kind);
    const int64_t n = static_cast<int64_t>(xs.size());
    Graph g(info.name);
    Builder b(g);
    Node* y = b.create(kind, {b.input("x", TensorType::f32({n}))});
    g.addOutput(y);
    Session s(g);
    s.setF32("x", xs);
    s.executable().run(Stage::Opt);
    const std::vector<float> got = s.getF32(y->name());
    ReferenceEvaluator ref(g);
    ref.bind("x", RefTensor(TensorType::f32({n}), std::vector<double>(xs.begin(), xs.end())));
    ref.run();
    const RefTensor& want = ref.value(y);
    double worst = 0;
    float worstAt = 0;
    for (size_t i = 0; i < xs.size(); ++i) {
      const double w = want.data[i];
      if (!std::isfinite(w) || std::fabs(w) > 3e38 || (w != 0 && std::fabs(w) < 1e-30)) continue;
      const double ulp = std::ldexp(1.0, std::max(std::ilogb(std::max(std::fabs(w), 1e-45)), -126) - 23);
      const double err = std::fabs(static_cast<double>(got[i]) - w) / ulp;
      if (!(err <= worst)) worst = err, worstAt = xs[i];
    }
    INFO("op " << info.name << " (" << s.executable().describe() << "): worst " << worst << " ulps at x = " << worstAt);
    CHECK(worst <= 8.0);
    ++checked;
  }
  CHECK(checked >= 10);  // tanh, sigmoid, exp, log, sqrt, square, softplus, abs, elu, neg, relu
}
