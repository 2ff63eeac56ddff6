// Compile work must grow linearly with the sequence length (issue 18, "Long sequences"). Nothing
// here is timed: the graph counts the steps of its primitives that a careless pass could make
// quadratic (GraphWork: nodes listed by nodes(), use-list entries moved, nodes renumbered, nodes printed), and
// each count at 2T must stay below 2.5 times the count at T (a quadratic one is 4 times), while
// the graph itself doubles.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "frontend/dsl/model.h"
#include "graph/graph.h"
#include "graph/passes/pass_manager.h"
#include "training/ensemble.h"
#include "training/graph_source.h"

using namespace mnemo;

namespace {

struct CompileWork {
  size_t nodes = 0;  // the optimized graph
  GraphWork graph;   // loading (the DSL unroller) and the passes
};

CompileWork compileNotebook(int64_t seqLen, const std::string& pipeline) {
  ModelSizing sizing;
  sizing.seqLen = seqLen;
  graphWork() = {};
  std::unique_ptr<Graph> g = loadGraphSource(kBuiltinNotebook, sizing).graph;
  PassManager pm;
  buildPipeline(pipeline, pm);
  pm.run(*g);
  CompileWork w;
  w.nodes = g->size();
  w.graph = graphWork();
  return w;
}

/// \p atDouble / \p atT below 2.5 (a count of zero at both lengths is linear too).
void checkLinear(const char* what, uint64_t atT, uint64_t atDouble) {
  INFO(what << ": " << atT << " at T, " << atDouble << " at 2T");
  CHECK(static_cast<double>(atDouble) < 2.5 * static_cast<double>(atT) + 1.0);
}

}  // namespace

TEST_CASE("compile work of the notebook model grows linearly with T", "[compile-scaling]") {
  for (const std::string pipeline : {"train", "train-unfused", "infer"}) {
    SECTION(pipeline) {
      const CompileWork a = compileNotebook(300, pipeline), b = compileNotebook(600, pipeline);
      // The graph itself doubles, and every counter did work (so the ratios mean something).
      CHECK(static_cast<double>(b.nodes) > 1.8 * static_cast<double>(a.nodes));
      CHECK(a.graph.nodesListed > 0);
      checkLinear("nodes listed by Graph::nodes()", a.graph.nodesListed, b.graph.nodesListed);
      checkLinear("use-list entries moved", a.graph.useEntriesMoved, b.graph.useEntriesMoved);
      checkLinear("nodes renumbered", a.graph.nodesRenumbered, b.graph.nodesRenumbered);
      checkLinear("nodes printed", a.graph.nodesPrinted, b.graph.nodesPrinted);
      // Nothing asked for a dump: the pass manager tells a pass that changed the graph from one
      // that did not by the graph's version, without printing it (which cost a whole printed
      // graph before and after each of a dozen passes, 38 % of the compile's instructions).
      INFO("nodes printed while compiling at 2T: " << b.graph.nodesPrinted << ", final graph " << b.nodes);
      CHECK(b.graph.nodesPrinted < b.nodes);
    }
  }
}

TEST_CASE("compile work of an ensemble grows linearly with its members", "[compile-scaling][ensemble]") {
  // Each member brings its own groups of per-step products and sums of weight gradients: a pass
  // that walks the whole graph once per group (time-batch did, twice) costs members².
  ModelSizing sizing;
  sizing.seqLen = 20;
  auto work = [&](int64_t members) {
    const Model lone = loadNotebookModel(modelOptions(sizing));
    std::unique_ptr<Graph> g = buildNotebookEnsemble(lone, members);
    graphWork() = {};
    PassManager pm;
    buildPipeline("train", pm);
    pm.run(*g);
    CompileWork w;
    w.nodes = g->size();
    w.graph = graphWork();
    return w;
  };
  const CompileWork a = work(8), b = work(16);
  CHECK(static_cast<double>(b.nodes) > 1.8 * static_cast<double>(a.nodes));
  CHECK(a.graph.nodesListed > 0);
  checkLinear("nodes listed by Graph::nodes()", a.graph.nodesListed, b.graph.nodesListed);
  checkLinear("use-list entries moved", a.graph.useEntriesMoved, b.graph.useEntriesMoved);
  checkLinear("nodes renumbered", a.graph.nodesRenumbered, b.graph.nodesRenumbered);
}

TEST_CASE("removing every use of a widely used value moves each entry O(1) times", "[compile-scaling]") {
  // A weight read by n matmuls loses its users one by one, first to last and last to first: the
  // holes left behind are squeezed out rarely enough that each input moves about n entries in
  // all (a search-and-shift removal would move about n²/2).
  for (bool lastFirst : {false, true}) {
    Graph g;
    Node* w = g.create(OpKind::Input, {}, TensorType::f32({4, 4}), {}, "w", Stage::Fwd);
    Node* x = g.create(OpKind::Input, {}, TensorType::f32({4, 4}), {}, "x", Stage::Fwd);
    const int n = 2000;
    std::vector<Node*> users;
    for (int i = 0; i < n; ++i)
      users.push_back(g.create(OpKind::Add, {x, w}, TensorType::f32({4, 4}), {}, "", Stage::Fwd));
    REQUIRE(w->uses().size() == static_cast<size_t>(n));
    graphWork() = {};
    for (int i = 0; i < n; ++i) {
      Node* u = users[lastFirst ? n - 1 - i : i];
      g.erase(u);
      // The remaining uses keep their order (passes read it).
      if (i == n / 2) {
        int k = lastFirst ? 0 : n / 2 + 1;
        for (const Use& use : w->uses()) CHECK(use.user == users[k++]);
        CHECK(w->uses().size() == static_cast<size_t>(n - n / 2 - 1));
      }
    }
    CHECK(w->uses().empty());
    CHECK(!w->hasUses());
    CHECK(graphWork().useEntriesMoved < 4u * n);  // w and x, each about n
  }
}
