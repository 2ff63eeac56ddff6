#include "frontend/ir/parser.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "ops/builder.h"
#include "support/error.h"
#include "frontend/ir/lexer.h"
#include "support/limits.h"
#include "support/text.h"
#include "ops/op_table.h"

namespace mnemo {

namespace {

class Parser {
 public:
  Parser(const std::string& text, const std::string& file) : file_(file), toks_(tokenize(text, file)) {}

  std::unique_ptr<Graph> parse() {
    if (peek().kind == Tok::End) fail(peek(), "empty file: expected 'graph @name {'");
    expectIdent("graph");
    const Token& name = next();
    if (name.kind != Tok::GraphName) fail(name, "expected the graph's name '@name' after 'graph'");
    graph_ = std::make_unique<Graph>(name.text);
    expectPunct("{");
    while (!isPunct(peek(), "}")) {
      const Token& t = peek();
      if (t.kind == Tok::End) fail(t, "unexpected end of file: expected '}' to close graph @" + graph_->name());
      if (t.kind == Tok::Directive) parseDirective();
      else if (t.kind == Tok::Ident && t.text == "return") parseReturn();
      else if (t.kind == Tok::Value) parseNode();
      else fail(t, "expected a node '%name = op(...) : type', '.stage' or 'return', got " + describe(t));
    }
    next();
    if (peek().kind != Tok::End) fail(peek(), "unexpected " + describe(peek()) + " after the end of the graph");
    return std::move(graph_);
  }

 private:
  [[noreturn]] void fail(const Token& t, const std::string& msg) {
    MNEMO_FAIL(file_ << ":" << t.line << ":" << t.col << ": " << msg);
  }
  static std::string describe(const Token& t) {
    switch (t.kind) {
      case Tok::Value: return "'%" + t.text + "'";
      case Tok::GraphName: return "'@" + t.text + "'";
      case Tok::Directive: return "'." + t.text + "'";
      case Tok::String: return "string \"" + t.text + "\"";
      case Tok::End: return "end of file";
      default: return "'" + t.text + "'";
    }
  }
  const Token& peek() const { return toks_[pos_]; }
  const Token& next() {
    const Token& t = toks_[pos_];
    if (t.kind != Tok::End) ++pos_;
    return t;
  }
  static bool isPunct(const Token& t, const char* p) { return t.kind == Tok::Punct && t.text == p; }
  void expectPunct(const char* p) {
    const Token& t = next();
    if (!isPunct(t, p)) fail(t, std::string("expected '") + p + "', got " + describe(t));
  }
  void expectIdent(const char* word) {
    const Token& t = next();
    if (t.kind != Tok::Ident || t.text != word) fail(t, std::string("expected '") + word + "', got " + describe(t));
  }
  int64_t parseInt(const Token& t) {
    if (t.kind != Tok::Int) fail(t, "expected an integer, got " + describe(t));
    try {
      return std::stoll(t.text);
    } catch (const std::exception&) {
      fail(t, "integer " + t.text + " is out of range");
    }
  }

  double parseFloat(const Token& t) {
    errno = 0;
    double v = std::strtod(t.text.c_str(), nullptr);
    if (errno == ERANGE && std::isinf(v)) fail(t, "number " + t.text + " is out of range");
    return v;
  }

  void parseDirective() {
    const Token& d = next();
    if (d.text == "role") return parseRole();
    if (d.text != "stage") fail(d, "unknown directive '." + d.text + "' (expected '.stage' or '.role')");
    const Token& s = next();
    if (s.kind == Tok::Ident && s.text == "fwd") stage_ = Stage::Fwd;
    else if (s.kind == Tok::Ident && s.text == "bwd") stage_ = Stage::Bwd;
    else if (s.kind == Tok::Ident && s.text == "opt") stage_ = Stage::Opt;
    else fail(s, "expected fwd, bwd or opt after '.stage', got " + describe(s));
  }

  /// `.role loss %l`, `.role grad %g of %w`, `.role opt_state %w.m of %w`, `.role hyper %h`.
  void parseRole() {
    const Token& r = next();
    Role role;
    if (r.kind != Tok::Ident || !roleFromName(r.text, &role))
      fail(r, "expected loss, grad, opt_state or hyper after '.role', got " + describe(r));
    Node* node = lookup(next());
    Node* of = nullptr;
    if (roleHasParam(role)) {
      expectIdent("of");
      of = lookup(next());
    }
    try {
      graph_->markRole(role, node, of);
    } catch (const Error& e) {
      fail(r, e.what());
    }
  }

  Node* lookup(const Token& t) {
    if (t.kind != Tok::Value) fail(t, "expected a value '%name', got " + describe(t));
    Node* n = graph_->find(t.text);
    if (!n) fail(t, "undefined value '%" + t.text + "'");
    return n;
  }

  void parseReturn() {
    next();
    do {
      const Token& t = next();
      Node* n = lookup(t);
      if (n->type().isNone()) fail(t, "cannot return '%" + t.text + "': " + opName(n->kind()) + " has no result");
      graph_->addOutput(n);
    } while (isPunct(peek(), ",") && (next(), true));
  }

  Attr parseLiteral() {
    const Token& t = next();
    switch (t.kind) {
      case Tok::Int: return parseInt(t);
      case Tok::Float: return parseFloat(t);
      case Tok::String: return t.text;
      case Tok::Ident:
        if (t.text == "true") return true;
        if (t.text == "false") return false;
        if (t.text == "inf" || t.text == "nan") return t.text == "inf" ? HUGE_VAL : std::nan("");
        break;
      case Tok::Punct:
        if (t.text == "[") {
          std::vector<int64_t> list;
          if (!isPunct(peek(), "]")) {
            do {
              list.push_back(parseInt(next()));
            } while (isPunct(peek(), ",") && (next(), true));
          }
          expectPunct("]");
          return list;
        }
        break;
      default: break;
    }
    fail(t, "expected an attribute value (integer, number, true/false, string or [integers]), got " + describe(t));
  }

  TensorType parseType() {
    const Token& t = next();
    if (isPunct(t, "(")) {
      expectPunct(")");
      return TensorType::none();
    }
    DType dtype;
    if (t.kind == Tok::Ident && t.text == "f32") dtype = DType::F32;
    else if (t.kind == Tok::Ident && t.text == "i64") dtype = DType::I64;
    else fail(t, "expected a type such as f32[16,64], i64[100] or (), got " + describe(t));
    const Token& open = next();
    if (!isPunct(open, "[")) fail(open, "expected '[' after '" + t.text + "' in a type, got " + describe(open));
    Dims dims;
    if (!isPunct(peek(), "]")) {
      do {
        const Token& d = next();
        int64_t v = parseInt(d);
        if (v <= 0) fail(d, "dimension " + d.text + " must be positive");
        dims.push_back(v);
      } while (isPunct(peek(), ",") && (next(), true));
    }
    expectPunct("]");
    std::string problem = dimsProblem(dims);
    if (!problem.empty()) fail(t, "type " + TensorType(dtype, dims).str() + ": " + problem);
    return {dtype, dims};
  }

  void parseNode() {
    const Token& nameTok = next();
    if (graph_->find(nameTok.text)) fail(nameTok, "value '%" + nameTok.text + "' is already defined");
    expectPunct("=");
    const Token& opTok = next();
    OpKind kind;
    if (opTok.kind != Tok::Ident) fail(opTok, "expected an op name after '=', got " + describe(opTok));
    if (!opByName(opTok.text, &kind)) fail(opTok, "unknown op '" + opTok.text + "'");
    const OpInfo& info = opInfo(kind);
    std::vector<Node*> operands;
    if (isPunct(peek(), "(")) {
      next();
      if (!isPunct(peek(), ")")) {
        do {
          operands.push_back(lookup(next()));
        } while (isPunct(peek(), ",") && (next(), true));
      }
      expectPunct(")");
    }
    bool arityOk = info.arity < 0 ? !operands.empty() : static_cast<int>(operands.size()) == info.arity;
    if (!arityOk)
      fail(opTok, "op '" + opTok.text + "' takes " + (info.arity < 0 ? std::string("at least 1") : std::to_string(info.arity)) +
                      " operand(s), got " + std::to_string(operands.size()));
    Attrs attrs;
    if (isPunct(peek(), "{")) {
      const Token& open = next();
      do {
        const Token& key = next();
        if (key.kind != Tok::Ident) fail(key, "expected an attribute name, got " + describe(key));
        if (attrs.has(key.text)) fail(key, "op '" + opTok.text + "': attribute '" + key.text + "' is given twice");
        const AttrSpec* spec = nullptr;
        for (const AttrSpec& a : info.attrs)
          if (a.name == key.text) spec = &a;
        if (!spec) fail(key, "op '" + opTok.text + "': unknown attribute '" + key.text + "'");
        expectPunct("=");
        const Token& valueTok = peek();
        Attr value = parseLiteral();
        Attrs single;
        single.set(key.text, value);
        std::string problem = checkAttrs(kind, single);
        if (problem.rfind("attribute '", 0) == 0) fail(valueTok, "op '" + opTok.text + "': " + problem);
        attrs.set(key.text, std::move(value));
      } while (isPunct(peek(), ",") && (next(), true));
      expectPunct("}");
      std::string problem = checkAttrs(kind, attrs);
      if (!problem.empty()) fail(open, "op '" + opTok.text + "': " + problem);
    } else {
      std::string problem = checkAttrs(kind, attrs);
      if (!problem.empty()) fail(opTok, "op '" + opTok.text + "': " + problem);
    }
    expectPunct(":");
    const Token& typeTok = peek();
    TensorType declared = parseType();
    if (kind == OpKind::Fused) {
      parseRegion(nameTok, typeTok, std::move(operands), std::move(attrs), declared);
      return;
    }
    if (info.category == Category::Leaf) {
      if (declared.isNone()) fail(typeTok, "'" + opTok.text + "' declares a value and needs a tensor type, got ()");
    } else {
      std::vector<TensorType> ins;
      for (Node* op : operands) {
        if (op->type().isNone()) fail(opTok, "operand '%" + op->name() + "' has no value");
        ins.push_back(op->type());
      }
      TensorType inferred;
      try {
        inferred = info.inferType(ins, OpAttrs(kind, attrs));
      } catch (const Error& e) {
        fail(opTok, "op '" + opTok.text + "' (" + describeOperands(operands) + "): " + e.what());
      }
      if (inferred != declared)
        fail(typeTok, "type mismatch: op '" + opTok.text + "' gives " + inferred.str() + ", declared " + declared.str());
    }
    graph_->create(kind, std::move(operands), declared, std::move(attrs), nameTok.text, stage_);
  }

  /// The body of a fused region: `{ node* return %v }` in a graph of its own, whose inputs stand
  /// for the region's operands.
  void parseRegion(const Token& nameTok, const Token& typeTok, std::vector<Node*> operands, Attrs attrs,
                   const TensorType& declared) {
    expectPunct("{");
    if (++regionDepth_ > limits::kMaxNestingDepth)
      fail(nameTok, "fused regions nest more than " + std::to_string(limits::kMaxNestingDepth) + " deep (the limit)");
    std::unique_ptr<Graph> outer = std::move(graph_);
    graph_ = std::make_unique<Graph>(nameTok.text);
    while (!isPunct(peek(), "}")) {
      const Token& t = peek();
      if (t.kind == Tok::End) fail(t, "unexpected end of file: expected '}' to close the body of '%" + nameTok.text + "'");
      if (t.kind == Tok::Ident && t.text == "return") parseReturn();
      else if (t.kind == Tok::Value) parseNode();
      else fail(t, "expected a node or 'return' in the body of '%" + nameTok.text + "', got " + describe(t));
    }
    next();
    --regionDepth_;
    std::unique_ptr<Graph> body = std::move(graph_);
    graph_ = std::move(outer);
    if (body->outputs().size() != 1) fail(nameTok, "the body of '%" + nameTok.text + "' must return exactly one value");
    std::vector<const Node*> inputs;
    for (const Node* b : body->nodes())
      if (b->kind() == OpKind::Input) inputs.push_back(b);
    if (inputs.size() != operands.size())
      fail(nameTok, "'%" + nameTok.text + "' has " + std::to_string(operands.size()) + " operands but its body " +
                        std::to_string(inputs.size()) + " inputs");
    for (size_t i = 0; i < inputs.size(); ++i)
      if (inputs[i]->type() != operands[i]->type())
        fail(nameTok, "body input '%" + inputs[i]->name() + "' is " + inputs[i]->type().str() + " but operand '%" +
                          operands[i]->name() + "' is " + operands[i]->type().str());
    if (body->outputs()[0]->type() != declared)
      fail(typeTok, "type mismatch: the body of '%" + nameTok.text + "' gives " + body->outputs()[0]->type().str() +
                        ", declared " + declared.str());
    graph_->createFused(std::move(operands), std::move(body), std::move(attrs), nameTok.text, stage_);
  }

  std::string file_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  std::unique_ptr<Graph> graph_;
  Stage stage_ = Stage::Fwd;
  int regionDepth_ = 0;
};

}  // namespace

std::unique_ptr<Graph> parseGraph(const std::string& text, const std::string& file) {
  return Parser(text, file).parse();
}

std::unique_ptr<Graph> parseGraphFile(const std::string& path) {
  return parseGraph(readFileText(path, path), path);
}

}  // namespace mnemo
