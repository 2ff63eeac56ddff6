// The fusion passes on small IR fixtures (tests/fixtures/fusion/): the structure of what they
// print, the reasons they give for refusing (--explain-fusion), numerical equivalence with the
// unfused graph (reference evaluator, and the oneDNN runtime), kernels after lowering. And the
// notebook model from examples/notebook_rnn.mnemo at its real sizes through the train pipeline.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "frontend/dsl/model.h"
#include "graph/passes/passes.h"
#include "graph/passes/verifier.h"
#include "pass_test_util.h"
#include "runtime/kernels/micro_gemm.h"
#include "runtime/session.h"

using namespace mnemo;
using namespace mnemo::testing;
namespace fs = std::filesystem;

namespace {

const fs::path kFusionFixtures = fs::path(MNEMO_SOURCE_DIR) / "tests" / "fixtures" / "fusion";

/// A fixture before and after one pass, with what the pass explained.
struct PassResult {
  std::unique_ptr<Graph> before, after;
  std::vector<std::string> notes;
  std::string text;  // the printed result
};

PassResult runOnFixture(const std::string& fixture, std::unique_ptr<Pass> pass, bool explain = true) {
  PassResult r;
  r.before = parseGraphFile((kFusionFixtures / fixture).string());
  REQUIRE(verify(*r.before).empty());
  r.after = cloneGraph(*r.before);
  PassContext ctx;
  ctx.explain = explain;
  bool changed = pass->run(*r.after, ctx);
  r.notes = ctx.notes;
  r.text = printGraph(*r.after);
  INFO(r.text);
  REQUIRE(verify(*r.after).empty());
  CHECK(changed == (r.text != printGraph(*r.before)));
  CHECK(printGraph(*parseGraph(r.text, "<printed>")) == r.text);  // fused regions round-trip
  return r;
}

int countRegions(const Graph& g, const std::string& kind) {
  int n = 0;
  for (const Node* node : g.nodes()) n += node->kind() == OpKind::Fused && node->attr<std::string>("kind") == kind;
  return n;
}

/// Ops in a region's body that compute something (not its parameters or constants).
int bodyOps(const Node* region) {
  int n = 0;
  for (const Node* b : region->body()->nodes()) n += !b->isLeaf();
  return n;
}

bool hasNote(const std::vector<std::string>& notes, const std::string& text) {
  for (const std::string& n : notes)
    if (n.find(text) != std::string::npos) return true;
  return false;
}

std::string allNotes(const std::vector<std::string>& notes) {
  std::string s;
  for (const std::string& n : notes) s += n + "\n";
  return s;
}

/// Runs \p g on the oneDNN runtime through its last stage with \p bindings (rounded to float)
/// and \returns the largest difference of its outputs from the reference evaluator run on
/// \p reference (double precision) with the same rounded values, relative to max(1, |value|).
double runtimeDifference(const Graph& g, const Graph& reference, const std::map<std::string, RefTensor>& bindings) {
  Session s(g);
  ReferenceEvaluator ref(reference);
  for (const auto& [name, t] : bindings) {
    std::vector<float> v(t.data.begin(), t.data.end());
    s.setF32(name, v);
    ref.bind(name, RefTensor(t.type, std::vector<double>(v.begin(), v.end())));
  }
  s.executable().run(Stage::Opt);
  ref.run();
  double worst = 0;
  for (size_t i = 0; i < g.outputs().size(); ++i) {
    std::vector<float> got = s.getF32(g.outputs()[i]->name());
    const RefTensor& want = ref.value(reference.outputs()[i]);
    REQUIRE(got.size() == want.size());
    for (size_t e = 0; e < got.size(); ++e) worst = std::max(worst, std::abs(got[e] - want[e]) / std::max(1.0, std::abs(want[e])));
  }
  return worst;
}

size_t kernels(const Graph& g) { return Session(g).executable().kernelCount(Stage::Opt); }

/// A multiplication by a constant zero anywhere, fused bodies included.
bool multipliesByZero(const Graph& g) {
  for (const Node* n : g.nodes()) {
    if (n->body() && multipliesByZero(*n->body())) return true;
    if (n->kind() != OpKind::Mul) continue;
    for (const Node* op : n->operands())
      if (op->kind() == OpKind::Constant && op->attr<double>("value") == 0.0) return true;
  }
  return false;
}

std::unique_ptr<Graph> runPipeline(const Graph& g, const std::string& pipeline) {
  auto copy = cloneGraph(g);
  PassManager pm;
  buildPipeline(pipeline, pm);
  pm.run(*copy);
  return copy;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("fuse-elementwise: a chain with a broadcast bias becomes one region", "[fusion]") {
  PassResult r = runOnFixture("chain.gir", createFuseElementwisePass());
  INFO(r.text);
  CHECK(countRegions(*r.after, "elementwise") == 1);
  for (OpKind k : {OpKind::Add, OpKind::Mul, OpKind::Square, OpKind::Relu}) CHECK(countOps(*r.after, k) == 0);
  const Node* region = r.after->find("out");
  REQUIRE(region);
  CHECK(region->kind() == OpKind::Fused);
  CHECK(bodyOps(region) == 5);
  CHECK(region->numOperands() == 3);  // %x, the [8] bias as a parameter, %y
  std::string missing;
  bool inOrder = containsInOrder(r.text, {"%out", "= fused(%x, %bias, %y) {kind=\"elementwise\"} : f32[4,8] {",
                                 "%p1      = input : f32[8]", "= add(%p0, %p1)", "= mul(", "= square(", "= mul(",
                                 "= relu(", "return", "}", "return %out"},
                                &missing);
  INFO("missing: " << missing);
  CHECK(inOrder);
  CHECK(hasNote(r.notes, "region %out: 5 ops, 3 parameters"));
  auto bindings = randomBindings(*r.before, 11);
  CHECK(maxDifference(*r.before, *r.after, bindings) < 1e-12);
  CHECK(runtimeDifference(*r.after, *r.before, bindings) < 1e-5);
  CHECK(kernels(*r.before) == 5);
  CHECK(kernels(*r.after) == 1);
}

TEST_CASE("fuse-elementwise: a transcendental op stays out of loop regions", "[fusion]") {
  auto g = parseGraph(R"(graph @t {
  %x = input : f32[4,8]
  %y = input : f32[4,8]
  %a = add(%x, %y) : f32[4,8]
  %b = mul(%a, %y) : f32[4,8]
  %c = tanh(%b) : f32[4,8]
  %d = mul(%c, %x) : f32[4,8]
  %out = relu(%d) : f32[4,8]
  return %out
})", "<test>");
  auto before = cloneGraph(*g);
  PassContext ctx;
  ctx.explain = true;
  REQUIRE(createFuseElementwisePass()->run(*g, ctx));
  CHECK(countOps(*g, OpKind::Tanh) == 1);  // left as its own oneDNN eltwise kernel
  CHECK(countRegions(*g, "elementwise") == 2);
  CHECK(hasNote(ctx.notes, "no-fuse %c into region %out: tanh runs vectorised in oneDNN's eltwise kernel"));
  auto bindings = randomBindings(*before, 14);
  CHECK(maxDifference(*before, *g, bindings) < 1e-12);
}

TEST_CASE("fuse-elementwise: a producer with a use outside the region stays out", "[fusion]") {
  PassResult r = runOnFixture("outside_use.gir", createFuseElementwisePass());
  INFO(r.text << allNotes(r.notes));
  CHECK(countRegions(*r.after, "elementwise") == 1);
  CHECK(r.after->find("a")->kind() == OpKind::Add);
  CHECK(bodyOps(r.after->find("c")) == 2);  // relu and mul
  CHECK(hasNote(r.notes, "no-fuse %a into region %c: producer has a use outside the region (%m)"));
  auto bindings = randomBindings(*r.before, 12);
  CHECK(maxDifference(*r.before, *r.after, bindings) < 1e-12);
  CHECK(runtimeDifference(*r.after, *r.before, bindings) < 1e-5);
  CHECK(kernels(*r.after) == kernels(*r.before) - 1);
}

TEST_CASE("fuse-elementwise: a producer in another stage stays out", "[fusion]") {
  PassResult r = runOnFixture("cross_stage.gir", createFuseElementwisePass());
  INFO(r.text << allNotes(r.notes));
  const Node* t = r.after->find("t");
  const Node* region = r.after->find("r");
  REQUIRE(t);
  REQUIRE(region);
  CHECK(t->kind() == OpKind::Tanh);
  CHECK(t->stage() == Stage::Fwd);
  CHECK(region->kind() == OpKind::Fused);
  CHECK(region->stage() == Stage::Bwd);
  CHECK(bodyOps(region) == 2);
  CHECK(hasNote(r.notes, "no-fuse %t into region %r: producer is in stage fwd, the region in bwd"));
  auto bindings = randomBindings(*r.before, 13);
  CHECK(maxDifference(*r.before, *r.after, bindings) < 1e-12);
}

TEST_CASE("fuse-elementwise: a broadcast-shaped producer enters as a parameter", "[fusion]") {
  PassResult r = runOnFixture("broadcast_producer.gir", createFuseElementwisePass());
  INFO(r.text << allNotes(r.notes));
  CHECK(r.after->find("s")->kind() == OpKind::Exp);
  const Node* region = r.after->find("z");
  REQUIRE(region->kind() == OpKind::Fused);
  CHECK(region->operand(1)->name() == "s");
  CHECK(hasNote(r.notes, "no-fuse %s into region %z: producer has shape [8], the region iterates over [4,8]"));
  auto bindings = randomBindings(*r.before, 14);
  CHECK(maxDifference(*r.before, *r.after, bindings) < 1e-12);
  CHECK(runtimeDifference(*r.after, *r.before, bindings) < 1e-5);
}

TEST_CASE("fuse-matmul-epilogue: a per-row broadcast operand ends the epilogue", "[fusion]") {
  PassResult r = runOnFixture("epilogue_row.gir", createFuseMatmulEpiloguePass(false));
  INFO(r.text << allNotes(r.notes));
  CHECK(countRegions(*r.after, "matmul") == 1);
  CHECK(countOps(*r.after, OpKind::MatMul) == 0);
  CHECK(countOps(*r.after, OpKind::Mul) == 1);  // the [16,1] scaling is left to its own kernel
  std::string missing;
  bool inOrder = containsInOrder(r.text, {"%a", "= fused(%h, %w, %bias) {kind=\"matmul\"}", "= matmul(%p0, %p1)", "= add(",
                                 "return", "= mul(%a, %col)"},
                                &missing);
  INFO("missing: " << missing);
  CHECK(inOrder);
  CHECK(hasNote(r.notes, "epilogue of %m (after 1 ops) ends: consumer %s: operand %col f32[16,1] broadcasts per row"));
  auto bindings = randomBindings(*r.before, 15);
  CHECK(maxDifference(*r.before, *r.after, bindings) < 1e-12);
  CHECK(runtimeDifference(*r.after, *r.before, bindings) < 1e-5);
  CHECK(kernels(*r.before) == 3);
  CHECK(kernels(*r.after) == 2);
}

TEST_CASE("fuse-matmul-epilogue: a returned value or a second use ends the epilogue", "[fusion]") {
  PassResult r = runOnFixture("epilogue_stops.gir", createFuseMatmulEpiloguePass(false));
  INFO(r.text << allNotes(r.notes));
  CHECK(countRegions(*r.after, "matmul") == 2);
  CHECK(bodyOps(r.after->find("a")) == 2);    // matmul + bias, then %a is returned
  CHECK(bodyOps(r.after->find("out")) == 4);  // matmul, full-shape add, ·2, relu
  CHECK(r.after->find("r")->kind() == OpKind::Relu);
  CHECK(r.after->find("m2")->kind() == OpKind::MatMul);
  CHECK(hasNote(r.notes, "epilogue of %m1 (after 1 ops) ends: %a is returned by the graph"));
  CHECK(hasNote(r.notes, "epilogue of %m2 ends: %m2 has 2 uses"));
  CHECK(hasNote(r.notes, "epilogue of %m3 (after 3 ops) ends: %out is returned by the graph"));
  auto bindings = randomBindings(*r.before, 16);
  CHECK(maxDifference(*r.before, *r.after, bindings) < 1e-12);
  CHECK(runtimeDifference(*r.after, *r.before, bindings) < 1e-5);
  CHECK(kernels(*r.after) + 4 == kernels(*r.before));
}

TEST_CASE("fuse-matmul-epilogue: small matmuls go to the micro-kernel, whose epilogue takes relu_grad", "[fusion][micro]") {
  PassResult r = runOnFixture("micro_backward_step.gir", createFuseMatmulEpiloguePass(true));
  INFO(r.text << allNotes(r.notes));
  CHECK(countRegions(*r.after, "matmul") == 3);
  CHECK(bodyOps(r.after->find("dh")) == 3);  // matmul, add, relu_grad
  CHECK(r.after->find("dh")->attr<std::string>("kernel") == "micro");
  CHECK(bodyOps(r.after->find("m2")) == 1);  // alone, but on the micro-kernel
  CHECK(r.after->find("m2")->attr<std::string>("kernel") == "micro");
  CHECK(r.after->find("r")->kind() == OpKind::Mul);
  CHECK_FALSE(r.after->find("t")->hasAttr("kernel"));  // oneDNN with a relu post-op
  CHECK(hasNote(r.notes, "matmul %m runs on mnemo's micro-kernel"));
  CHECK(hasNote(r.notes, "epilogue of %m2 ends: consumer %r: operand %col f32[16,1] is neither full nor per-column"));
  CHECK(hasNote(r.notes, "matmul %m3 stays on oneDNN: 1600x64x64 is more than 4 MFLOP"));
  auto bindings = randomBindings(*r.before, 17);
  CHECK(maxDifference(*r.before, *r.after, bindings) < 1e-12);
  CHECK(runtimeDifference(*r.after, *r.before, bindings) < 1e-5);

  PassResult onednn = runOnFixture("micro_backward_step.gir", createFuseMatmulEpiloguePass(false));
  INFO(onednn.text);
  CHECK(bodyOps(onednn.after->find("s")) == 2);  // matmul, add: relu_grad has no post-op
  CHECK(onednn.after->find("dh")->kind() == OpKind::ReluGrad);
  CHECK(onednn.after->find("m2")->kind() == OpKind::MatMul);
}

TEST_CASE("fuse-matmul-epilogue: a narrow product runs transposed (A stored transposed) or as dot products on the micro-kernel",
          "[fusion][micro]") {
  if (!cpuSupports(GemmIsa::Avx2)) {
    WARN("this CPU has neither AVX2 nor AVX-512: mnemo's micro-kernel is not used here");
    return;
  }
  PassResult r = runOnFixture("micro_weight_gradient.gir", createFuseMatmulEpiloguePass(true));
  INFO(r.text << allNotes(r.notes));
  CHECK(r.after->find("dw")->attr<std::string>("kernel") == "micro");
  CHECK(r.after->find("e")->attr<std::string>("kernel") == "micro");
  CHECK(bodyOps(r.after->find("e")) == 3);  // matmul, add, mul
  CHECK(hasNote(r.notes, "matmul %dw runs on mnemo's micro-kernel: 37x200x3 computed transposed"));
  CHECK(hasNote(r.notes, "matmul %y runs on mnemo's micro-kernel: 1600x64x3 as 3 dot products a row"));
  CHECK(r.after->find("yb")->attr<std::string>("kernel") == "micro");
  CHECK(hasNote(r.notes, "matmul %z stays on oneDNN: 4000x8x3: 3 columns fill a fraction of each vector"));
  auto bindings = randomBindings(*r.before, 23);
  CHECK(maxDifference(*r.before, *r.after, bindings) < 1e-12);
  CHECK(runtimeDifference(*r.after, *r.before, bindings) < 1e-5);
}

TEST_CASE("fusion passes record nothing unless asked to explain", "[fusion]") {
  PassResult quiet = runOnFixture("outside_use.gir", createFuseElementwisePass(), false);
  CHECK(quiet.notes.empty());
  PassResult loud = runOnFixture("outside_use.gir", createFuseElementwisePass(), true);
  CHECK(quiet.text == loud.text);
  CHECK_FALSE(loud.notes.empty());
}

TEST_CASE("the pass manager writes refusal reasons as comments at the end of the pass's dump", "[fusion]") {
  fs::path dir = fs::temp_directory_path() / ("mnemo_fusion_explain_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  PassManagerOptions opts;
  opts.dumpDir = dir.string();
  opts.explain = true;
  PassManager pm(opts);
  buildPipeline("infer", pm);
  auto g = parseGraphFile((kFusionFixtures / "outside_use.gir").string());
  pm.run(*g);
  std::string text = slurp(dir / "outside_use.10.fuse-elementwise.gir");
  INFO(text);
  std::string tail = "}\n// no-fuse %a into region %c: producer has a use outside the region (%m)\n"
                     "// region %c: 2 ops, 2 parameters\n";
  REQUIRE(text.size() > tail.size());
  CHECK(text.substr(text.size() - tail.size()) == tail);
  CHECK(printGraph(*parseGraph(text, "dump")) == printGraph(*g));  // the comments do not disturb parsing
  fs::remove_all(dir);
}

TEST_CASE("the notebook model file, trained at B=16 T=100 H=64: no zero products, a third of the kernels",
          "[fusion][notebook]") {
  Model m = loadModelFile((fs::path(MNEMO_SOURCE_DIR) / "examples" / "notebook_rnn.mnemo").string());
  REQUIRE(m.sizes.at("B") == 16);
  REQUIRE(m.sizes.at("T") == 100);
  REQUIRE(m.sizes.at("H") == 64);
  REQUIRE(multipliesByZero(*m.graph));  // the leak term h·(1−α) with α = 1, as written
  auto fused = runPipeline(*m.graph, "train");
  auto plain = runPipeline(*m.graph, "train-unfused");
  CHECK_FALSE(multipliesByZero(*fused));
  CHECK(countRegions(*fused, "matmul") >= 100);  // at least the recurrent products
  size_t kFused = kernels(*fused), kPlain = kernels(*plain);
  INFO("kernels per training step: fused " << kFused << ", unfused " << kPlain);
  CHECK(kFused * 3 <= kPlain);
  auto inferFused = runPipeline(*m.graph, "infer"), inferPlain = runPipeline(*m.graph, "infer-unfused");
  Session fwdFused(*inferFused), fwdPlain(*inferPlain);
  CHECK(fwdFused.executable().kernelCount(Stage::Fwd) * 3 <= fwdPlain.executable().kernelCount(Stage::Fwd));
}

TEST_CASE("the notebook model file: the train pipeline computes what the unfused one does", "[fusion][notebook]") {
  for (double tau : {100.0, 200.0}) {  // α = 1 and α = 0.5
    ModelOptions opts;
    opts.batch = 3, opts.seqLen = 5, opts.sizeOverrides["H"] = 6, opts.constOverrides["tau"] = tau;
    Model m = loadModelFile((fs::path(MNEMO_SOURCE_DIR) / "examples" / "notebook_rnn.mnemo").string(), opts);
    auto fused = runPipeline(*m.graph, "train");
    auto plain = runPipeline(*m.graph, "train-unfused");
    CHECK(countOps(*fused, OpKind::Fused) > 0);
    INFO("tau " << tau);
    CHECK(maxDifference(*plain, *fused, randomBindings(*plain, 21)) < 1e-9);
  }
}
