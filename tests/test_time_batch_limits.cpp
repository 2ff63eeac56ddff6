// time-batch and the element limit: per-step products whose stack would pass
// limits::kMaxElements stay per step (the memory plan then reports what the model needs)
// instead of leaving a graph the verifier refuses.
#include <catch2/catch.hpp>

#include "graph/passes/passes.h"
#include "graph/passes/verifier.h"
#include "pass_test_util.h"

using namespace mnemo;
using namespace mnemo::testing;

namespace {

/// Three products x_t·w sharing w, each x_t of ROWS x 131072 (2^17 columns).
std::string threeSteps(const std::string& rows) {
  std::string x = "f32[" + rows + ",131072]", y = "f32[" + rows + ",1]";
  std::string text = "graph @t {\n  %w = param : f32[131072,1]\n";
  for (int t = 0; t < 3; ++t) text += "  %x" + std::to_string(t) + " = input : " + x + "\n";
  for (int t = 0; t < 3; ++t)
    text += "  %y" + std::to_string(t) + " = matmul(%x" + std::to_string(t) + ", %w) : " + y + "\n";
  return text + "  return %y0, %y1, %y2\n}\n";
}

/// The products left after time-batch and dce.
int productsAfter(const std::string& rows) {
  auto g = parseGraph(threeSteps(rows), "<test>");
  PassContext ctx;
  ctx.explain = true;
  createTimeBatchPass(false)->run(*g, ctx);
  createDcePass()->run(*g, ctx);
  std::string notes;
  for (const std::string& n : ctx.notes) notes += n + "\n";
  INFO(notes);
  REQUIRE(verify(*g).empty());
  return countOps(*g, OpKind::MatMul);
}

}  // namespace

TEST_CASE("time-batch stacks per-step products only while the stack fits the element limit", "[passes][time-batch]") {
  CHECK(productsAfter("4") == 1);       // 3 x 2^19 elements stacked: one product
  CHECK(productsAfter("262144") == 3);  // 2^35 each, 3 x 2^35 stacked is past 2^36: per step
}
