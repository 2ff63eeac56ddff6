// The .gir IR text: every fixture in tests/fixtures/ round-trips through parse and print, and
// every malformed fixture in tests/fixtures/bad/ gives its own one-line diagnostic at the right
// line:col. The fixture directories are listed at run time, so a new file is tested at once (and
// a new bad fixture must be given its expected diagnostic below).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "ops/builder.h"
#include "support/error.h"
#include "frontend/ir/parser.h"
#include "graph/printer.h"
#include "graph/passes/verifier.h"

using namespace mnemo;
namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = fs::path(MNEMO_SOURCE_DIR) / "tests" / "fixtures";

std::vector<fs::path> girFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".gir") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

/// The expected diagnostic of each malformed fixture: where, and a distinctive part of what.
struct BadCase {
  int line, col;
  std::string message;  // must occur in the message after "file:line:col: "
};

const std::map<std::string, BadCase>& badCases() {
  static const std::map<std::string, BadCase> cases = {
      {"unknown_op.gir", {3, 8, "unknown op 'frobnicate'"}},
      {"wrong_arity.gir", {3, 8, "op 'add' takes 2 operand(s), got 1"}},
      {"undefined_value.gir", {3, 16, "undefined value '%z'"}},
      {"return_undefined.gir", {3, 10, "undefined value '%y'"}},
      {"type_mismatch.gir", {3, 22, "type mismatch: op 'add' gives f32[2], declared f32[3]"}},
      {"shape_error.gir", {4, 8, "op 'add' (%a: f32[2,3], %b: f32[4]): shapes [2,3] and [4] do not broadcast"}},
      {"bad_token.gir", {3, 26, "unexpected character '#'"}},
      {"control_byte.gir", {2, 23, "unexpected character byte 0x01"}},
      {"truncated_node.gir", {3, 22, "expected an integer, got end of file"}},
      {"truncated_graph.gir", {4, 1, "unexpected end of file: expected '}' to close graph @g"}},
      {"empty.gir", {1, 1, "empty file: expected 'graph @name {'"}},
      {"comment_only.gir", {2, 1, "empty file: expected 'graph @name {'"}},
      {"duplicate_name.gir", {4, 3, "value '%x' is already defined"}},
      {"unknown_attribute.gir", {3, 18, "op 'relu': unknown attribute 'alpha'"}},
      {"missing_attribute.gir", {3, 19, "op 'select': missing attribute 'index'"}},
      {"attribute_kind.gir", {3, 36, "op 'matmul': attribute 'transpose_a' must be bool, got 1"}},
      {"duplicate_attribute.gir", {3, 37, "op 'select': attribute 'axis' is given twice"}},
      {"bad_type.gir", {2, 16, "expected a type such as f32[16,64], i64[100] or (), got 'f64'"}},
      {"bad_type_bracket.gir", {2, 19, "expected '[' after 'f32' in a type, got '('"}},
      {"bad_dimension.gir", {2, 22, "dimension 0 must be positive"}},
      {"leaf_without_type.gir", {2, 16, "'input' declares a value and needs a tensor type, got ()"}},
      {"bad_number.gir", {2, 24, "malformed number '1.2.3'"}},
      {"float_out_of_range.gir", {2, 24, "number 1e999 is out of range"}},
      {"int_out_of_range.gir", {2, 20, "integer 99999999999999999999 is out of range"}},
      {"unterminated_string.gir", {2, 20, "unterminated string"}},
      {"bad_stage.gir", {3, 8, "expected fwd, bwd or opt after '.stage', got 'train'"}},
      {"missing_colon.gir", {3, 16, "expected ':', got 'f32'"}},
      {"after_end.gir", {4, 1, "unexpected '%y' after the end of the graph"}},
      {"no_value_operand.gir", {8, 8, "operand '%u' has no value"}},
      {"returns_nothing.gir", {8, 10, "cannot return '%u': adam_update has no result"}},
  };
  return cases;
}

/// The message of the mnemo::Error that parsing \p text throws ("" if it parses).
std::string parseError(const std::string& text, const std::string& file = "t.gir") {
  try {
    parseGraph(text, file);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("IR text: every fixture round-trips and verifies", "[ir]") {
  std::vector<fs::path> files = girFiles(kFixtures);
  REQUIRE(files.size() >= 7);
  for (const fs::path& file : files) {
    DYNAMIC_SECTION(file.filename().string()) {
      std::unique_ptr<Graph> g = parseGraphFile(file.string());
      CHECK(verify(*g).empty());
      std::string once = printGraph(*g);
      std::unique_ptr<Graph> again = parseGraph(once, file.string() + " (printed)");
      CHECK(printGraph(*again) == once);
      // The printed text holds the same graph: sizes, names, outputs and types agree.
      REQUIRE(again->size() == g->size());
      std::vector<Node*> a = g->nodes(), b = again->nodes();
      for (size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i]->name() == b[i]->name());
        CHECK(a[i]->kind() == b[i]->kind());
        CHECK(a[i]->type() == b[i]->type());
        CHECK(a[i]->stage() == b[i]->stage());
        CHECK(a[i]->attrs() == b[i]->attrs());
      }
      REQUIRE(again->outputs().size() == g->outputs().size());
      for (size_t i = 0; i < g->outputs().size(); ++i) CHECK(again->outputs()[i]->name() == g->outputs()[i]->name());
      REQUIRE(again->roles().size() == g->roles().size());
      for (size_t i = 0; i < g->roles().size(); ++i) {
        const RoleMark &m = g->roles()[i], &n = again->roles()[i];
        CHECK(n.role == m.role);
        CHECK(n.node->name() == m.node->name());
        CHECK((n.of ? n.of->name() : "") == (m.of ? m.of->name() : ""));
      }
    }
  }
}

TEST_CASE("IR text: the printer normalises layout but keeps names, stages and attributes", "[ir]") {
  std::unique_ptr<Graph> g = parseGraphFile((kFixtures / "train_stages.gir").string());
  std::string text = printGraph(*g, "after nothing");
  CHECK(text.rfind("// after nothing\ngraph @train_stages {\n", 0) == 0);
  CHECK(text.find("\n.stage bwd\n") != std::string::npos);
  CHECK(text.find("\n.stage opt\n") != std::string::npos);
  CHECK(text.find("adam_update(%w, %dw, %m_w, %v_w, %hyper) : ()") != std::string::npos);
  CHECK(text.find("matmul(%x, %dlogit) {transpose_a=true} : f32[2,3]") != std::string::npos);
  CHECK(g->find("upd_w")->stage() == Stage::Opt);
  CHECK(g->find("dw")->stage() == Stage::Bwd);
  CHECK(g->find("hyper")->type() == TensorType::f32({5}));
  CHECK(text.find("  .role grad %dw of %w\n") != std::string::npos);
  CHECK(text.find("  .role opt_state %v_b of %b\n  return %loss\n") != std::string::npos);
  CHECK(g->loss() == g->find("loss"));
  CHECK(g->gradientOf(g->find("b")) == g->find("db"));
  std::vector<std::string> persistent;
  for (const Node* n : g->persistentLeaves()) persistent.push_back(n->name());
  CHECK(persistent == std::vector<std::string>{"w", "b", "m_w", "v_w", "m_b", "v_b"});

  std::unique_ptr<Graph> s = parseGraphFile((kFixtures / "sparse_names.gir").string());
  std::string sparse = printGraph(*s);
  CHECK(sparse.find("%17      = log(%3) : f32[2,2]\n") != std::string::npos);
  CHECK(sparse.find("return %g, %r\n") != std::string::npos);
  CHECK(sparse.find("//") == std::string::npos);  // comments are not kept
  CHECK(s->nextAnonymousId() == 21);              // numbering continues after the largest number
}

TEST_CASE("IR text: attribute literals keep their kind and value", "[ir]") {
  std::unique_ptr<Graph> g = parseGraphFile((kFixtures / "all_attrs.gir").string());
  CHECK(g->find("w")->attr<std::string>("init") == "say \"hi\" \\ then\tgo");
  CHECK(g->find("tiny")->attr<double>("value") == 1e-08);
  CHECK(g->find("neg")->attr<double>("value") == -2.5);
  CHECK(std::holds_alternative<int64_t>(*g->find("negint")->attrs().find("value")));
  CHECK(g->find("negint")->attr<double>("value") == -3.0);  // a float attribute reads an integer literal
  CHECK(g->find("huge")->attr<double>("value") == 1.5e30);
  CHECK(g->find("ninf")->attr<double>("value") == -HUGE_VAL);
  CHECK(g->find("pinf")->attr<double>("value") == HUGE_VAL);
  CHECK(g->find("third")->attr<double>("value") == 1.0 / 3.0);
  CHECK(std::signbit(g->find("mzero")->attr<double>("value")));
  CHECK(g->find("mm")->attr<bool>("transpose_a") == false);
  CHECK(g->find("mm")->attrs().has("transpose_a"));
  CHECK(g->find("back")->attr<std::vector<int64_t>>("shape").empty());
  CHECK(g->find("red")->attr<std::vector<int64_t>>("axes") == std::vector<int64_t>{0, 2});
  std::string text = printGraph(*g);
  CHECK(text.find("{value=1e-08}") != std::string::npos);
  CHECK(text.find("{value=-inf}") != std::string::npos);
  CHECK(text.find("{value=0.3333333333333333}") != std::string::npos);
  CHECK(text.find("{value=-0.0}") != std::string::npos);
  CHECK(text.find("{init=\"say \\\"hi\\\" \\\\ then\\tgo\"}") != std::string::npos);
}

TEST_CASE("IR text: graphs built through the API print and parse back", "[ir]") {
  Graph g("api");
  Builder b(g);
  Node* x = b.input("x", TensorType::f32({2, 3}));
  Node* w = b.param("w", {3}, "line one\nline two");  // a newline inside a string attribute
  Node* c = b.constant(std::nan(""), {3});
  Node* y = b.add(b.mul(x, w), c);
  g.addOutput(y);
  std::string text = printGraph(g);
  CHECK(text.find("{init=\"line one\\nline two\"}") != std::string::npos);
  CHECK(text.find("{value=nan}") != std::string::npos);
  std::unique_ptr<Graph> back = parseGraph(text, "api.gir");
  CHECK(printGraph(*back) == text);
  CHECK(back->find("w")->attr<std::string>("init") == "line one\nline two");
  CHECK(std::isnan(back->find(c->name())->attr<double>("value")));
}

TEST_CASE("IR text: every malformed fixture gives its own diagnostic at line:col", "[ir]") {
  fs::path dir = kFixtures / "bad";
  std::vector<fs::path> files = girFiles(dir);
  REQUIRE(files.size() >= 11);
  for (const fs::path& file : files) {
    std::string name = file.filename().string();
    DYNAMIC_SECTION(name) {
      auto it = badCases().find(name);
      INFO("add the expected diagnostic of tests/fixtures/bad/" << name << " to badCases()");
      REQUIRE(it != badCases().end());
      const BadCase& want = it->second;
      std::string prefix = file.string() + ":" + std::to_string(want.line) + ":" + std::to_string(want.col) + ": ";
      std::string got;
      try {
        parseGraphFile(file.string());
      } catch (const Error& e) {
        got = e.what();
      }
      CHECK(got.rfind(prefix, 0) == 0);
      CHECK(got.find(want.message, prefix.size()) == prefix.size());
      CHECK(got.find('\n') == std::string::npos);
    }
  }
  // Every table entry has its file (a renamed fixture is not silently skipped).
  for (const auto& [name, c] : badCases()) {
    INFO(name);
    CHECK(fs::exists(dir / name));
  }
}

TEST_CASE("IR text: more malformed inputs are rejected with a located message", "[ir]") {
  const std::string head = "graph @g {\n  %x = input : f32[2]\n";
  CHECK(parseError(head + "  %y = neg(%x,) : f32[2]\n}\n") == "t.gir:3:15: expected a value '%name', got ')'");
  CHECK(parseError(head + "  %y = neg(%x) {} : f32[2]\n}\n") == "t.gir:3:17: expected an attribute name, got '}'");
  CHECK(parseError(head + "  %y = neg(%x) : f32[2,]\n}\n") == "t.gir:3:24: expected an integer, got ']'");
  CHECK(parseError(head + "  %c = constant {value=1e} : f32[]\n}\n") == "t.gir:3:24: malformed number '1e'");
  CHECK(parseError(head + "  %c = constant {value=-.5} : f32[]\n}\n") == "t.gir:3:24: malformed number '-.5'");
  CHECK(parseError(head + "  %y = reshape(%x) {shape=[2.0]} : f32[2]\n}\n") == "t.gir:3:28: expected an integer, got '2.0'");
  CHECK(parseError(head + "  %w = param {init=\"a\\qb\"} : f32[2]\n}\n") ==
        "t.gir:3:22: unknown escape '\\q' in a string (known: \\\" \\\\ \\n \\t)");
  CHECK(parseError(head + ".stages bwd\n}\n") == "t.gir:3:1: unknown directive '.stages' (expected '.stage' or '.role')");
  CHECK(parseError(head + "  .role parameter %x\n}\n") ==
        "t.gir:3:9: expected loss, grad, opt_state or hyper after '.role', got 'parameter'");
  CHECK(parseError(head + "  .role grad %x\n}\n") == "t.gir:4:1: expected 'of', got '}'");
  CHECK(parseError(head + "  .role grad %x of %x\n}\n") == "t.gir:3:9: 'grad' mark on %x needs the param it belongs to");
  CHECK(parseError(head + "  .role opt_state %x of %w\n}\n") == "t.gir:3:25: undefined value '%w'");
  CHECK(parseError(head + "  .role hyper %x\n}\n") ==
        "t.gir:3:9: 'hyper' mark on %x: an optimizer's values must be a state leaf, not input");
  CHECK(parseError("graph g {\n}\n") == "t.gir:1:7: expected the graph's name '@name' after 'graph'");
  CHECK(parseError("grph @g {\n}\n") == "t.gir:1:1: expected 'graph', got 'grph'");
  CHECK(parseError(head + "  %y = 3(%x) : f32[2]\n}\n") == "t.gir:3:8: expected an op name after '=', got '3'");
  CHECK(parseError(head + "  %x.2 = neg(%x) : f32[2]\n  %y = neg(%x.2) : f32[3]\n}\n") ==
        "t.gir:4:20: type mismatch: op 'neg' gives f32[2], declared f32[3]");
  // Whatever the bytes, the parser throws mnemo::Error and never crashes.
  for (const std::string& junk : {std::string("\0\0\0", 3), std::string("graph @g {\n  %"), std::string("}}}"),
                                  std::string("graph @g { %x = input : f32[2] return %x, }"), std::string("\"")}) {
    CHECK(!parseError(junk).empty());
  }
}
