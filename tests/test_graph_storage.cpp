// How the graph stores its nodes: SmallVector (short lists inside their owner, longer ones on the
// heap), node slots reused after freeDead, and the name registry's two tables (anonymous numbers
// by number, every other name in a hash map).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ops/builder.h"
#include "graph/passes/verifier.h"
#include "support/small_vector.h"

using namespace mnemo;

TEST_CASE("SmallVector keeps its elements inside and on the heap alike", "[graph]") {
  SmallVector<int, 2> v;
  CHECK(v.empty());
  for (int i = 0; i < 5; ++i) v.push_back(10 * i);  // past the two kept inside
  REQUIRE(v.size() == 5);
  CHECK(v.front() == 0);
  CHECK(v.back() == 40);
  CHECK(std::vector<int>(v.begin(), v.end()) == std::vector<int>{0, 10, 20, 30, 40});

  SmallVector<int, 2> copy = v;
  SmallVector<int, 2> moved = std::move(copy);
  CHECK(copy.empty());
  CHECK(moved == v);
  moved[1] = 11;
  CHECK(v[1] == 10);  // the copy does not share storage

  SmallVector<int, 2> small{7};
  SmallVector<int, 2> fromSmall = std::move(small);
  CHECK(fromSmall.vec() == std::vector<int>{7});
  fromSmall = v;  // inside to heap
  CHECK(fromSmall == v);
  fromSmall = SmallVector<int, 2>{1, 2};  // heap to inside
  CHECK(fromSmall.vec() == std::vector<int>{1, 2});

  v.resize(7);
  CHECK(v[5] == 0);
  CHECK(v[6] == 0);
  v.clear();
  CHECK(v.empty());
  CHECK(v != fromSmall);
}

TEST_CASE("a value with thousands of uses and nodes created after freeDead stay consistent", "[graph]") {
  Graph g("t");
  Builder b(g);
  Node* x = b.input("x", TensorType::f32({4}));
  std::vector<Node*> users;
  for (int i = 0; i < 3000; ++i) users.push_back(b.neg(x));  // far past the uses kept inside
  CHECK(x->uses().size() == 3000);
  CHECK(verify(g).empty());
  for (size_t i = 0; i < users.size(); i += 2) g.erase(users[i]);
  CHECK(x->uses().size() == 1500);
  CHECK(g.freeDead() == 1500);
  // New nodes take the freed slots: each is whole, named anew and in the graph.
  Node* sum = users[1];
  for (int i = 0; i < 2000; ++i) sum = b.add(sum, x);
  g.addOutput(sum);
  CHECK(x->uses().size() == 3500);
  CHECK(g.size() == 1 + 1500 + 2000);
  CHECK(g.find(sum->name()) == sum);
  CHECK(verify(g).empty());
}

TEST_CASE("the name registry finds numbered and other names, and only live ones", "[graph]") {
  Graph g("t");
  Builder b(g);
  Node* x = b.input("x", TensorType::f32({2}));
  Node* a = b.create(OpKind::Neg, {x}, {}, "7");          // a plain number: the numbered table
  Node* z = b.create(OpKind::Neg, {a}, {}, "007");        // leading zeros: the hash map
  Node* far = b.create(OpKind::Neg, {z}, {}, "900000000");  // far past the table: the hash map
  Node* again = b.create(OpKind::Neg, {far}, {}, "7");    // taken: gets a suffix
  Node* anon = b.neg(again);
  CHECK(again->name() == "7.1");
  CHECK(anon->name() == "900000001");  // numbering continues after the largest number given
  for (Node* n : {x, a, z, far, again, anon}) CHECK(g.find(n->name()) == n);
  CHECK(g.find("8") == nullptr);
  CHECK(g.find("07") == nullptr);
  CHECK(g.namesConsistent());
  g.addOutput(anon);
  CHECK(verify(g).empty());

  g.replaceAndErase(z, x);  // %x keeps its own name
  g.replaceAndErase(a, x);
  CHECK(g.find("007") == nullptr);
  CHECK(g.find("7") == nullptr);
  CHECK(g.namesConsistent());
  Node* reused = b.create(OpKind::Neg, {x}, {}, "7");  // a freed name may be given again
  CHECK(reused->name() == "7");
  CHECK(g.find("7") == reused);
  CHECK(g.namesConsistent());
  CHECK(verify(g).empty());
}

TEST_CASE("the verifier rechecks a node whose operand changed after a clean verify", "[graph]") {
  Graph g("t");
  Builder b(g);
  Node* x = b.input("x", TensorType::f32({2, 3}));
  Node* y = b.input("y", TensorType::f32({2, 3}));
  Node* z = b.input("z", TensorType::f32({4}));
  Node* s = b.add(x, y);
  g.addOutput(s);
  REQUIRE(verify(g).empty());
  REQUIRE(verify(g).empty());  // a second walk, with the first one's result remembered
  g.setOperand(s, 1, z);       // f32[2,3] + f32[4]: the shape rule refuses it
  std::vector<std::string> problems = verify(g);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("rejected by the shape rule") != std::string::npos);
  CHECK(verify(g).size() == 1);  // a graph with problems is never remembered as clean
  g.setOperand(s, 1, y);
  CHECK(verify(g).empty());
}
