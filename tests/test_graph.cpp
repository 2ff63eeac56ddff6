// Graph IR editing API: creation order, use lists, replace-all-uses, erase, naming.
#include <catch2/catch.hpp>

#include "graph/builder.h"
#include "graph/error.h"
#include "graph/printer.h"
#include "graph/verifier.h"

using namespace mnemo;

TEST_CASE("use lists follow every edit", "[graph]") {
  Graph g("t");
  Builder b(g);
  Node* x = b.input("x", TensorType::f32({2, 3}));
  Node* y = b.input("y", TensorType::f32({2, 3}));
  Node* s = b.add(x, y);
  Node* m = b.mul(s, x);
  REQUIRE(x->uses().size() == 2);
  REQUIRE(s->uses().size() == 1);
  g.setOperand(m, 1, y);
  CHECK(x->uses().size() == 1);
  CHECK(y->uses().size() == 2);
  g.addOutput(m);
  Node* t = b.tanh(y);
  g.replaceAllUsesWith(y, x);  // t, s and m now read x
  CHECK(y->uses().empty());
  CHECK(t->operand(0) == x);
  CHECK(verify(g).empty());
  g.erase(y);
  CHECK(g.find("y") == nullptr);
  CHECK(verify(g).empty());
  CHECK_THROWS_AS(g.erase(x), Error);  // still used
}

TEST_CASE("anonymous names are numbered once and never reused", "[graph]") {
  Graph g("t");
  Builder b(g);
  Node* x = b.input("x", TensorType::f32({4}));
  Node* a = b.neg(x);
  Node* c = b.neg(a);
  CHECK(a->name() == "0");
  CHECK(c->name() == "1");
  g.replaceAllUsesWith(a, x);
  g.erase(a);
  Node* d = b.neg(c);
  CHECK(d->name() == "2");
  Node* named = b.create(OpKind::Neg, {d}, {}, "x");
  CHECK(named->name() == "x.1");
}

TEST_CASE("insertion keeps a topological order", "[graph]") {
  Graph g("t");
  Builder b(g);
  Node* x = b.input("x", TensorType::f32({4}));
  Node* last = b.neg(x);
  b.setInsertPoint(last);
  Node* early = b.exp(x);
  CHECK(g.before(early, last));
  CHECK_THROWS_AS(g.setOperand(early, 0, last), Error);  // would break the order
  CHECK(verify(g).empty());
}
