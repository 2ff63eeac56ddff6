// The attribute schema of the op table: every row declares its attributes (name, kind, required
// or a default), the typed accessors read through it, an absent optional attribute reads as its
// row's default everywhere (shape rule, reference evaluation, runtime kernels, IR text), and
// reading a key the row does not declare is an error that names the node and the key.
#include <catch2/catch.hpp>

#include <set>

#include "ops/builder.h"
#include "support/error.h"
#include "frontend/ir/parser.h"
#include "graph/printer.h"
#include "graph/passes/verifier.h"
#include "runtime/reference/evaluator.h"
#include "runtime/session.h"
#include "ops/op_table.h"

using namespace mnemo;

namespace {

TensorType f32(Dims d) { return TensorType::f32(std::move(d)); }

RefTensor ramp(const TensorType& t, double start) {
  RefTensor r(t);
  for (size_t i = 0; i < r.size(); ++i) r[i] = start + static_cast<double>(i);
  return r;
}

}  // namespace

TEST_CASE("attribute schema: every row's attributes are well formed", "[attrs]") {
  for (int k = 0; k < kNumOps; ++k) {
    const OpInfo& info = opInfo(static_cast<OpKind>(k));
    INFO("op " << info.name);
    std::set<std::string> names;
    for (const AttrSpec& s : info.attrs) {
      INFO("attribute " << s.name);
      CHECK(names.insert(s.name).second);  // declared once
      CHECK_FALSE((s.required && s.defaultValue.has_value()));  // a required attribute has no default
      if (s.defaultValue) CHECK(attrKind(*s.defaultValue) == s.kind);
      CHECK(findAttrSpec(info.kind, s.name) == &s);
    }
  }
  // The defaults the runtime relies on: stack along the first axis, untransposed matmul operands,
  // trained params.
  REQUIRE(findAttrSpec(OpKind::Stack, "axis"));
  CHECK(*findAttrSpec(OpKind::Stack, "axis")->defaultValue == Attr(int64_t{0}));
  CHECK(*findAttrSpec(OpKind::MatMul, "transpose_a")->defaultValue == Attr(false));
  CHECK(*findAttrSpec(OpKind::MatMul, "transpose_b")->defaultValue == Attr(false));
  CHECK(*findAttrSpec(OpKind::Param, "fixed")->defaultValue == Attr(false));
  CHECK(findAttrSpec(OpKind::Select, "axis")->required);
  CHECK(findAttrSpec(OpKind::Relu, "axis") == nullptr);
}

TEST_CASE("attribute schema: an absent optional attribute reads as the row's default", "[attrs]") {
  Graph g("d");
  Builder b(g);
  Node* x = b.input("x", f32({4, 3}));
  Node* y = b.input("y", f32({4, 3}));
  Node* implicit = b.create(OpKind::Stack, {x, y}, {}, "implicit");
  Node* explicitAxis = b.create(OpKind::Stack, {x, y}, {{"axis", int64_t{0}}}, "explicit");
  Node* w = b.param("w", {3, 2});
  Node* fixed = b.create(OpKind::Select, {b.stack({w, w}, 0)}, {{"axis", int64_t{0}}, {"index", int64_t{1}}}, "sel");
  Node* mm = b.create(OpKind::MatMul, {x, fixed}, {}, "mm");
  g.addOutput(implicit);
  g.addOutput(explicitAxis);
  g.addOutput(mm);

  CHECK_FALSE(implicit->attrs().has("axis"));
  CHECK(implicit->attr<int64_t>("axis") == 0);
  CHECK(implicit->type() == f32({2, 4, 3}));  // the shape rule read the default
  CHECK(mm->attr<bool>("transpose_a") == false);
  CHECK(mm->attr<bool>("transpose_b") == false);
  CHECK(w->attr<bool>("fixed") == false);
  CHECK(g.persistentLeaves() == std::vector<Node*>{w});  // an unfixed param is trained
  CHECK(verify(g).empty());

  SECTION("the reference evaluator stacks along axis 0") {
    ReferenceEvaluator ev(g);
    ev.bind("x", ramp(x->type(), 0));
    ev.bind("y", ramp(y->type(), 100));
    ev.bind("w", ramp(w->type(), -3));
    ev.run(Stage::Fwd);
    CHECK(ev.value("implicit").data == ev.value("explicit").data);
    CHECK(ev.value("implicit").data[12] == 100);  // y's first element starts the second plane
  }

  SECTION("the runtime's kernels read the same default") {
    Session s(g);
    std::vector<float> xv(12), yv(12), wv(6);
    for (size_t i = 0; i < xv.size(); ++i) xv[i] = static_cast<float>(i), yv[i] = 100.f + static_cast<float>(i);
    for (size_t i = 0; i < wv.size(); ++i) wv[i] = static_cast<float>(i) - 3.f;
    s.setF32("x", xv);
    s.setF32("y", yv);
    s.setF32("w", wv);
    s.forward();
    std::vector<float> got = s.getF32("implicit");
    CHECK(got == s.getF32("explicit"));
    REQUIRE(got.size() == 24);
    CHECK(got[12] == 100.f);
    // mm = x · w (untransposed): row 0 of x is 0, 1, 2 and column 0 of w is -3, -1, 1.
    CHECK(s.getF32("mm")[0] == 0.f * -3.f + 1.f * -1.f + 2.f * 1.f);
  }

  SECTION("the IR text keeps the attribute absent and reads the same default back") {
    const std::string text = printGraph(g);
    CHECK(text.find("%implicit = stack(%x, %y) : f32[2,4,3]") != std::string::npos);
    std::unique_ptr<Graph> back = parseGraph(text, "d.gir");
    CHECK(printGraph(*back) == text);
    CHECK_FALSE(back->find("implicit")->attrs().has("axis"));
    CHECK(back->find("implicit")->attr<int64_t>("axis") == 0);
  }
}

TEST_CASE("attribute schema: the typed accessors refuse what the row does not declare", "[attrs]") {
  Graph g("t");
  Builder b(g);
  Node* x = b.input("x", f32({4, 3}));
  Node* s = b.create(OpKind::Select, {x}, {{"axis", int64_t{0}}, {"index", int64_t{2}}}, "s");
  Node* w = b.param("w", {3});
  CHECK(s->attr<int64_t>("index") == 2);
  CHECK_THROWS_WITH(s->attr<int64_t>("axes"), "node %s (select): its op declares no attribute 'axes'");
  CHECK_THROWS_WITH(s->hasAttr("start"), "node %s (select): its op declares no attribute 'start'");
  CHECK_THROWS_WITH(s->attr<double>("axis"), "node %s (select): attribute 'axis' is declared int, read as float");
  CHECK_THROWS_WITH(s->attr<std::vector<int64_t>>("index"),
                    "node %s (select): attribute 'index' is declared int, read as int list");
  CHECK_FALSE(w->hasAttr("init"));
  CHECK_THROWS_WITH(w->attr<std::string>("init"), "node %w (param): attribute 'init' is not given and its op gives no default");
  // Without a node (a shape rule reading the attributes it is given), the op is named.
  Attrs bad{{"axis", std::string("rows")}};
  CHECK_THROWS_WITH(OpAttrs(OpKind::Stack, bad).get<int64_t>("axis"), "op 'stack': attribute 'axis' must be int, got \"rows\"");
  CHECK(OpAttrs(OpKind::Stack, Attrs{}).get<int64_t>("axis") == 0);
}

TEST_CASE("attribute schema: checkAttrs names the first problem", "[attrs]") {
  CHECK(checkAttrs(OpKind::Stack, {}) == "");
  CHECK(checkAttrs(OpKind::Stack, {{"axis", int64_t{1}}}) == "");
  CHECK(checkAttrs(OpKind::Stack, {{"axis", true}}) == "attribute 'axis' must be int, got true");
  CHECK(checkAttrs(OpKind::Param, {{"seed", int64_t{3}}}) == "unknown attribute 'seed'");
  CHECK(checkAttrs(OpKind::Constant, {{"value", int64_t{3}}}) == "");  // a float reads an integer literal
  CHECK(checkAttrs(OpKind::Fused, {}) == "missing attribute 'kind'");
}
