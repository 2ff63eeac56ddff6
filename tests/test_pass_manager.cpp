// The pass manager: numbered dump files, stop-after, disabled passes, verification after each
// pass, and catching a pass that misreports "no change".
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "training/rnn_model.h"
#include "ops/builder.h"
#include "support/error.h"
#include "graph/passes/passes.h"
#include "pass_test_util.h"

using namespace mnemo;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<Graph> smallRnn() {
  RnnConfig cfg;
  cfg.seqLen = 3, cfg.batch = 2, cfg.hidden = 4;
  return buildNotebookRnn(cfg);
}

fs::path freshDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("mnemo_pm_" + name);
  fs::remove_all(dir);
  return dir;
}

/// Changes the graph but claims it did not.
class LyingPass : public Pass {
 public:
  const char* name() const override { return "liar"; }
  bool run(Graph& g, PassContext&) override {
    Builder b(g);
    b.constant(5.0, {}, "sneaky");
    return false;
  }
};

/// Erases every node the graph's outputs do not need, then looks at the erased nodes again.
class ErasingPass : public Pass {
 public:
  const char* name() const override { return "eraser"; }
  bool run(Graph& g, PassContext&) override {
    Builder b(g);
    Node* extra = b.create(OpKind::Neg, {g.outputs()[0]}, {}, "extra");
    std::vector<Node*> snapshot = g.nodes();
    g.erase(extra);
    for (Node* n : snapshot) seenDead += n->isDead() ? 1 : 0;
    return true;  // it edited the graph, even if it looks the same afterwards
  }
  int seenDead = 0;
};

/// Breaks the graph: a node whose stored type disagrees with its shape rule.
class BreakingPass : public Pass {
 public:
  const char* name() const override { return "breaker"; }
  bool run(Graph& g, PassContext&) override {
    Node* x = g.nodes().front();
    g.create(OpKind::Neg, {x}, TensorType::f32({99}), {}, "broken", Stage::Fwd);
    return true;
  }
};

}  // namespace

TEST_CASE("dumps go to numbered files, one per pass, that parse back", "[passmanager]") {
  fs::path dir = freshDir("dumps");
  PassManagerOptions opts;
  opts.dumpDir = dir.string();
  PassManager pm(opts);
  buildPipeline("train", pm);
  auto g = smallRnn();
  auto records = pm.run(*g);
  REQUIRE(fs::exists(dir / "rnn.00.input.gir"));
  REQUIRE(fs::exists(dir / "rnn.01.autodiff.gir"));
  REQUIRE(fs::exists(dir / "rnn.02.adam.gir"));
  REQUIRE(fs::exists(dir / "rnn.03.simplify.gir"));
  size_t files = std::distance(fs::directory_iterator(dir), fs::directory_iterator());
  CHECK(files == records.size() + 1);
  std::ifstream in(dir / "rnn.03.simplify.gir");
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str().rfind("// mnemo dump | graph @rnn | 03.simplify | changed | nodes ", 0) == 0);
  auto parsed = parseGraph(text.str(), "dump");
  CHECK(printGraph(*parsed) == printGraph(*parseGraph(printGraph(*parsed))));
}

TEST_CASE("stop-after runs only the first N passes", "[passmanager]") {
  PassManagerOptions opts;
  opts.stopAfter = 2;
  PassManager pm(opts);
  buildPipeline("train", pm);
  auto g = smallRnn();
  auto records = pm.run(*g);
  CHECK(records[0].ran);
  CHECK(records[1].ran);
  for (size_t i = 2; i < records.size(); ++i) CHECK_FALSE(records[i].ran);
  CHECK(testing::countOps(*g, OpKind::AdamUpdate) == 5);
  CHECK(PassManager::report(records).find("skipped") != std::string::npos);
}

TEST_CASE("a disabled pass is skipped by name", "[passmanager]") {
  PassManagerOptions opts;
  opts.disabled = {"time-batch"};
  PassManager pm(opts);
  buildPipeline("train", pm);
  auto g = smallRnn();
  auto records = pm.run(*g);
  bool sawIt = false;
  for (const PassRecord& r : records) {
    if (r.name != "time-batch") continue;
    sawIt = true;
    CHECK_FALSE(r.ran);
  }
  CHECK(sawIt);
  CHECK(testing::countOps(*g, OpKind::Stack) == 1);  // only the logits stack; nothing batched
}

TEST_CASE("a pass that lies about changing the graph is caught", "[passmanager]") {
  PassManager pm;
  pm.add(std::make_unique<LyingPass>());
  auto g = smallRnn();
  REQUIRE_THROWS_WITH(pm.run(*g), Catch::Contains("pass 'liar' reported no change but changed graph @rnn"));
}

TEST_CASE("the graph's version moves with every edit and only then", "[passmanager]") {
  auto g = smallRnn();
  uint64_t v = g->version();
  g->reschedule();  // the same order: nothing changed
  CHECK(g->version() == v);
  g->nodes();
  g->freeDead();
  CHECK(g->version() == v);
  Builder b(*g);
  Node* extra = b.create(OpKind::Neg, {g->outputs()[0]}, {}, "extra");
  CHECK(g->version() > v);
  v = g->version();
  g->erase(extra);
  CHECK(g->version() > v);
  v = g->version();
  g->markRole(Role::Loss, g->outputs()[0]);
  CHECK(g->version() > v);
  // An edit inside a fused region's body counts as an edit of the graph that holds it.
  auto body = std::make_unique<Graph>("body");
  Node* p0 = body->create(OpKind::Input, {}, g->outputs()[0]->type(), {}, "p0", Stage::Fwd);
  body->addOutput(body->create(OpKind::Neg, {p0}, p0->type(), {}, "", Stage::Fwd));
  Graph* inner = body.get();
  g->createFused({g->outputs()[0]}, std::move(body), {{"kind", std::string("elementwise")}}, "region", Stage::Fwd);
  v = g->version();
  inner->create(OpKind::Neg, {p0}, p0->type(), {}, "", Stage::Fwd);
  CHECK(g->version() > v);
}

TEST_CASE("a pass that edits the graph and undoes it must say so", "[passmanager]") {
  // The graph prints the same afterwards, but its version moved: "no change" is a lie.
  struct UndoingPass : Pass {
    const char* name() const override { return "undoer"; }
    bool run(Graph& g, PassContext&) override {
      Builder b(g);
      g.erase(b.create(OpKind::Neg, {g.outputs()[0]}, {}, "temporary"));
      return false;
    }
  };
  PassManager pm;
  pm.add(std::make_unique<UndoingPass>());
  auto g = smallRnn();
  REQUIRE_THROWS_WITH(pm.run(*g), Catch::Contains("pass 'undoer' reported no change but changed graph @rnn"));
}

TEST_CASE("the pass manager frees the nodes a pass erased after the pass", "[passmanager]") {
  PassManager pm;
  auto eraser = std::make_unique<ErasingPass>();
  ErasingPass* pass = eraser.get();
  pm.add(std::move(eraser));
  auto g = smallRnn();
  size_t before = g->size();
  pm.run(*g);
  CHECK(pass->seenDead == 1);
  CHECK(g->size() == before);
  CHECK(g->freeDead() == 0);  // already freed by the pass manager
}

TEST_CASE("a pass that breaks the graph is caught by the verifier", "[passmanager]") {
  PassManager pm;
  pm.add(std::make_unique<BreakingPass>());
  auto g = smallRnn();
  REQUIRE_THROWS_WITH(pm.run(*g), Catch::Contains("after pass 'breaker'") && Catch::Contains("%broken"));
}

TEST_CASE("an unknown pipeline name is a clear error", "[passmanager]") {
  PassManager pm;
  REQUIRE_THROWS_WITH(buildPipeline("fast", pm), Catch::Contains("unknown pipeline 'fast'"));
}
