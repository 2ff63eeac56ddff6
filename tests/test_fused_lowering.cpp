// The fused path never crashes: a region the runtime cannot lower (here one hand-written in IR
// text, which the fusion passes would never build) is reported as an internal error naming the
// region and asking for a report, distinct from the errors a user's input causes.
#include <catch2/catch.hpp>

#include "support/error.h"
#include "frontend/ir/parser.h"
#include "runtime/session.h"

using namespace mnemo;

namespace {

std::string loweringError(const std::string& ir) {
  std::unique_ptr<Graph> g = parseGraph(ir, "<test>");
  try {
    Session s(*g);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a loop region with an op the loop kernel cannot run is an internal error", "[fusion][runtime]") {
  std::string msg = loweringError(R"(graph @bad {
  %x = input : f32[2,3]
  %y = fused(%x) {kind="elementwise"} : f32[2,3] {
      %p0 = input : f32[2,3]
      %0 = stack(%p0) {axis=0} : f32[1,2,3]
      %1 = reshape(%0) {shape=[2,3]} : f32[2,3]
      return %1
  }
  return %y
})");
  INFO(msg);
  CHECK(msg.find("internal error") != std::string::npos);
  CHECK(msg.find("fused region %y") != std::string::npos);
  CHECK(msg.find("please report it with this model") != std::string::npos);
}

TEST_CASE("a matmul region past oneDNN's post-op limit is an internal error", "[fusion][runtime]") {
  std::string ir = "graph @long {\n  %a = input : f32[2,3]\n  %w = input : f32[3,4]\n  %b = input : f32[4]\n"
                   "  %y = fused(%a, %w, %b) {kind=\"matmul\"} : f32[2,4] {\n"
                   "      %p0 = input : f32[2,3]\n      %p1 = input : f32[3,4]\n      %p2 = input : f32[4]\n"
                   "      %0 = matmul(%p0, %p1) : f32[2,4]\n";
  for (int i = 1; i <= 33; ++i)
    ir += "      %" + std::to_string(i) + " = add(%" + std::to_string(i - 1) + ", %p2) : f32[2,4]\n";
  ir += "      return %33\n  }\n  return %y\n}\n";
  std::string msg = loweringError(ir);
  INFO(msg);
  CHECK(msg.find("internal error") != std::string::npos);
  CHECK(msg.find("post-ops") != std::string::npos);
  CHECK(msg.find("please report it with this model") != std::string::npos);
}
