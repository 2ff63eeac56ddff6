// The model DSL's recursive-descent parser (grammar in frontend/dsl/parser.h).
#include "frontend/dsl/parser.h"

#include "support/error.h"
#include "support/limits.h"

namespace mnemo {

bool isDslKeyword(const std::string& w) {
  return w == "model" || w == "size" || w == "const" || w == "input" || w == "target" || w == "param" ||
         w == "state" || w == "step" || w == "out" || w == "fixed";
}

namespace {

class DslParser {
 public:
  DslParser(const std::string& text, const std::string& file) : file_(file), toks_(tokenizeDsl(text, file)) {}

  DslModel parseAll() {
    DslModel m;
    m.file = file_;
    skipNewlines();
    const DslToken& kw = next();
    if (!isIdent(kw, "model")) fail(kw, "expected 'model NAME' at the top of the file, got " + describe(kw));
    m.loc = kw.loc;
    m.name = expectName("the model's name").text;
    endOfStatement();
    while (true) {
      skipNewlines();
      if (peek().kind == DslTok::End) break;
      parseTopLevel(m);
    }
    m.end = peek().loc;
    return m;
  }

 private:
  [[noreturn]] void fail(SrcLoc at, const std::string& msg) const {
    MNEMO_FAIL(file_ << ":" << at.line << ":" << at.col << ": " << msg);
  }
  [[noreturn]] void fail(const DslToken& t, const std::string& msg) const { fail(t.loc, msg); }
  static std::string describe(const DslToken& t) {
    switch (t.kind) {
      case DslTok::Newline: return "end of line";
      case DslTok::End: return "end of file";
      case DslTok::String: return "\"" + t.text + "\"";
      default: return "'" + t.text + "'";
    }
  }
  const DslToken& peek(size_t ahead = 0) const { return toks_[std::min(pos_ + ahead, toks_.size() - 1)]; }
  const DslToken& next() {
    const DslToken& t = toks_[pos_];
    if (t.kind != DslTok::End) ++pos_;
    return t;
  }
  static bool isPunct(const DslToken& t, const char* p) { return t.kind == DslTok::Punct && t.text == p; }
  static bool isIdent(const DslToken& t, const char* w) { return t.kind == DslTok::Ident && t.text == w; }
  void skipNewlines() {
    while (peek().kind == DslTok::Newline) next();
  }
  void expectPunct(const char* p, const std::string& context = "") {
    const DslToken& t = next();
    if (!isPunct(t, p)) fail(t, std::string("expected '") + p + "'" + context + ", got " + describe(t));
  }
  const DslToken& expectName(const std::string& what) {
    const DslToken& t = next();
    if (t.kind != DslTok::Ident) fail(t, "expected " + what + ", got " + describe(t));
    if (isDslKeyword(t.text)) fail(t, "'" + t.text + "' is a keyword and cannot be " + what);
    return t;
  }
  void endOfStatement() {
    const DslToken& t = peek();
    if (t.kind == DslTok::Newline) { next(); return; }
    if (t.kind == DslTok::End || isPunct(t, "}")) return;
    fail(t, "expected the end of the statement, got " + describe(t));
  }

  DslDecl parseDecl() {
    const DslToken& first = peek();
    DslDecl d;
    d.loc = first.loc;
    if (first.kind != DslTok::Ident) fail(first, "expected a declaration or 'NAME = expression', got " + describe(first));
    const std::string& w = first.text;
    if (w == "input" || w == "target" || w == "param" || w == "state" || w == "fixed") {
      next();
      d.kind = w == "input" ? DslDecl::Kind::Input : w == "target" ? DslDecl::Kind::Target
             : w == "param" ? DslDecl::Kind::Param : w == "fixed" ? DslDecl::Kind::Fixed : DslDecl::Kind::State;
      const DslToken& name = expectName("a " + w + " name");
      d.name = name.text;
      d.nameLoc = name.loc;
      expectPunct(":", " and a type after " + w + " '" + d.name + "'");
      d.type = parseType();
      if (d.kind == DslDecl::Kind::Param || d.kind == DslDecl::Kind::State || d.kind == DslDecl::Kind::Fixed) {
        expectPunct("=", " and an initialiser after the type of " + w + " '" + d.name + "'");
        d.value = parseExpr();
      }
      endOfStatement();
      return d;
    }
    if (w == "step") {
      next();
      d.kind = DslDecl::Kind::Step;
      const DslToken& var = expectName("the step's time variable (step t { ... })");
      d.name = var.text;
      d.nameLoc = var.loc;
      expectPunct("{", " to open the step block");
      while (true) {
        skipNewlines();
        const DslToken& t = peek();
        if (isPunct(t, "}")) { next(); break; }
        if (t.kind == DslTok::End) fail(t, "unexpected end of file: expected '}' to close the step block opened at " +
                                              std::to_string(d.loc.line) + ":" + std::to_string(d.loc.col));
        d.body.push_back(parseStmt());
      }
      endOfStatement();
      return d;
    }
    if (isDslKeyword(w)) fail(first, "'" + w + "' is not allowed here");
    d.kind = DslDecl::Kind::Assign;
    const DslToken& name = next();
    d.name = name.text;
    d.nameLoc = name.loc;
    expectPunct("=", " after '" + d.name + "' (a declaration starts with size, const, input, target, param, state or step)");
    d.value = parseExpr();
    endOfStatement();
    return d;
  }

  /// One top-level statement into \p m; a `size` or `const` list becomes one DslDecl per name.
  void parseTopLevel(DslModel& m) {
    const DslToken& first = peek();
    if (isIdent(first, "size") || isIdent(first, "const")) {
      next();
      const DslDecl::Kind kind = first.text == "size" ? DslDecl::Kind::Size : DslDecl::Kind::Const;
      const std::string what = first.text == "size" ? "a size name" : "a constant name";
      while (true) {
        DslDecl d;
        d.kind = kind;
        d.loc = first.loc;
        const DslToken& name = expectName(what);
        d.name = name.text;
        d.nameLoc = name.loc;
        expectPunct("=", " and a value after '" + d.name + "'");
        d.value = parseExpr();
        m.decls.push_back(std::move(d));
        if (!isPunct(peek(), ",")) break;
        next();
      }
      endOfStatement();
      return;
    }
    m.decls.push_back(parseDecl());
  }

  DslStmt parseStmt() {
    DslStmt s;
    const DslToken* t = &peek();
    if (isIdent(*t, "out")) {
      next();
      s.isOut = true;
      t = &expectName("the output's name after 'out'");
    } else {
      t = &expectName("'NAME = expression' or 'out NAME = expression' in the step block");
    }
    s.name = t->text;
    s.loc = t->loc;
    expectPunct("=", " after '" + s.name + "'");
    s.value = parseExpr();
    endOfStatement();
    return s;
  }

  DslType parseType() {
    DslType ty;
    ty.loc = peek().loc;
    if (isIdent(peek(), "f32") || isIdent(peek(), "i64")) ty.dtype = next().text;
    else if (peek().kind == DslTok::Ident) fail(peek(), "unknown element type '" + peek().text + "' (expected f32 or i64)");
    expectPunct("[", " to start the shape (e.g. [B, H])");
    if (!isPunct(peek(), "]")) {
      ty.dims.push_back(parseExpr());
      while (isPunct(peek(), ",")) {
        next();
        ty.dims.push_back(parseExpr());
      }
    }
    expectPunct("]", " to close the shape");
    return ty;
  }

  static DslExprPtr make(DslExpr::Kind kind, SrcLoc loc) {
    auto e = std::make_unique<DslExpr>();
    e->kind = kind;
    e->loc = loc;
    return e;
  }
  DslExprPtr binary(const DslToken& op, DslExprPtr lhs, DslExprPtr rhs) {
    DslExprPtr e = make(DslExpr::Kind::Binary, op.loc);
    e->name = op.text;
    e->args.push_back(std::move(lhs));
    e->args.push_back(std::move(rhs));
    return e;
  }

  // depth_ bounds the depth of the tree being built (each nested call and each operator of a
  // chain adds one), so neither this parser nor anything walking the tree recurses unboundedly.
  void deeper(const DslToken& at) {
    if (++depth_ > limits::kMaxNestingDepth)
      fail(at, "expression nests deeper than " + std::to_string(limits::kMaxNestingDepth) + " levels (the limit)");
  }
  static bool isComparison(const DslToken& t) {
    return t.kind == DslTok::Punct && (t.text == "<" || t.text == ">" || t.text == "<=" || t.text == ">=" || t.text == "==");
  }
  /// Comparisons bind looser than + and -, and do not chain (a < b < c is an error).
  DslExprPtr parseExpr() {
    DslExprPtr lhs = parseSum();
    if (!isComparison(peek())) return lhs;
    const int outer = depth_;
    const DslToken& op = next();
    deeper(op);
    DslExprPtr e = binary(op, std::move(lhs), parseSum());
    if (isComparison(peek())) fail(peek(), "comparisons do not chain: write (a < b) * (b < c)");
    depth_ = outer;
    return e;
  }
  DslExprPtr parseSum() {
    const int outer = depth_;
    DslExprPtr lhs = parseTerm();
    while (isPunct(peek(), "+") || isPunct(peek(), "-")) {
      const DslToken& op = next();
      deeper(op);
      lhs = binary(op, std::move(lhs), parseTerm());
    }
    depth_ = outer;
    return lhs;
  }
  DslExprPtr parseTerm() {
    const int outer = depth_;
    DslExprPtr lhs = parseUnary();
    while (isPunct(peek(), "*") || isPunct(peek(), "/") || isPunct(peek(), "@")) {
      const DslToken& op = next();
      deeper(op);
      lhs = binary(op, std::move(lhs), parseUnary());
    }
    depth_ = outer;
    return lhs;
  }
  DslExprPtr parseUnary() {
    const int outer = depth_;
    deeper(peek());
    DslExprPtr e = parseUnaryAt();
    depth_ = outer;
    return e;
  }
  DslExprPtr parseUnaryAt() {
    if (isPunct(peek(), "-")) {
      DslExprPtr e = make(DslExpr::Kind::Neg, next().loc);
      e->args.push_back(parseUnary());
      return e;
    }
    return parsePostfix();
  }
  DslExprPtr parsePostfix() {
    DslExprPtr e = parsePrimary();
    while (isPunct(peek(), "[")) {
      deeper(peek());
      DslExprPtr idx = make(DslExpr::Kind::Index, next().loc);
      idx->args.push_back(std::move(e));
      idx->args.push_back(parseIndexItem());
      while (isPunct(peek(), ",")) {
        next();
        idx->args.push_back(parseIndexItem());
      }
      expectPunct("]", " to close the index");
      e = std::move(idx);
    }
    return e;
  }
  /// An index `i` or a range `lo:hi`, `lo:`, `:hi`, `:`.
  DslExprPtr parseIndexItem() {
    const SrcLoc at = peek().loc;
    DslExprPtr lo;
    if (!isPunct(peek(), ":")) {
      lo = parseExpr();
      if (!isPunct(peek(), ":")) return lo;
    }
    next();
    DslExprPtr range = make(DslExpr::Kind::Range, at);
    range->args.push_back(std::move(lo));
    range->args.push_back(isPunct(peek(), ",") || isPunct(peek(), "]") ? nullptr : parseExpr());
    return range;
  }
  DslExprPtr parsePrimary() {
    const DslToken& t = next();
    if (t.kind == DslTok::Number) {
      DslExprPtr e = make(DslExpr::Kind::Number, t.loc);
      e->number = t.number;
      return e;
    }
    if (t.kind == DslTok::String) {
      DslExprPtr e = make(DslExpr::Kind::String, t.loc);
      e->name = t.text;
      return e;
    }
    if (isPunct(t, "(")) {
      DslExprPtr e = parseExpr();
      expectPunct(")", " to close the parenthesis");
      return e;
    }
    if (t.kind != DslTok::Ident) fail(t, "expected an expression, got " + describe(t));
    if (isDslKeyword(t.text)) fail(t, "'" + t.text + "' is a keyword, not a value");
    if (!isPunct(peek(), "(")) {
      DslExprPtr e = make(DslExpr::Kind::Name, t.loc);
      e->name = t.text;
      return e;
    }
    next();
    DslExprPtr call = make(DslExpr::Kind::Call, t.loc);
    call->name = t.text;
    if (!isPunct(peek(), ")")) {
      call->args.push_back(parseExpr());
      while (isPunct(peek(), ",")) {
        next();
        call->args.push_back(parseExpr());
      }
    }
    expectPunct(")", " to close the call to " + t.text + "(...)");
    return call;
  }

  std::string file_;
  std::vector<DslToken> toks_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

DslModel parseDsl(const std::string& text, const std::string& file) {
  return DslParser(text, file).parseAll();
}

bool declaresName(const DslModel& model, DslDecl::Kind kind, const std::string& name) {
  for (const DslDecl& d : model.decls)
    if (d.kind == kind && d.name == name) return true;
  return false;
}

std::string declaredNames(const DslModel& model, DslDecl::Kind kind) {
  std::string names;
  for (const DslDecl& d : model.decls)
    if (d.kind == kind) names += (names.empty() ? "" : ", ") + d.name;
  return names.empty() ? "none" : names;
}

}  // namespace mnemo
