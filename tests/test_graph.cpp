// Graph IR editing API: creation order, use lists, replace-all-uses, erase, naming.
#include <catch2/catch.hpp>

#include "ops/builder.h"
#include "support/error.h"
#include "graph/printer.h"
#include "graph/passes/verifier.h"

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

TEST_CASE("an erased node is dead but readable until freeDead", "[graph]") {
  Graph g("t");
  Builder b(g);
  Node* x = b.input("x", TensorType::f32({4}));
  Node* a = b.neg(x);
  Node* c = b.tanh(a);
  g.addOutput(x);
  std::vector<Node*> snapshot = g.nodes();
  g.erase(c);
  g.erase(a);
  CHECK(a->isDead());  // still safe to ask: the memory is kept until freeDead
  CHECK(c->isDead());
  CHECK_FALSE(x->isDead());
  CHECK(a->numOperands() == 0);
  CHECK(x->uses().empty());
  CHECK(g.size() == 1);
  CHECK(g.find("0") == nullptr);
  int live = 0;
  for (Node* n : snapshot) live += n->isDead() ? 0 : 1;
  CHECK(live == 1);
  CHECK(verify(g).empty());
  CHECK(g.freeDead() == 2);
  CHECK(g.freeDead() == 0);
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
