// The model DSL's unroller: declarations in file order become graph leaves, the step block is
// evaluated once per time step with the states threaded through, and the loss closes the graph.
#include "frontend/dsl/unroller.h"

#include <cmath>
#include <map>
#include <set>

#include "frontend/dsl/eval.h"
#include "frontend/dsl/parser.h"
#include "frontend/init.h"
#include "support/error.h"
#include "support/limits.h"
#include "graph/passes/verifier.h"

namespace mnemo {

namespace {

enum class SymKind { Size, Const, Input, Target, Param, Fixed, State, Value, Out, Local, StepVar };

const char* symKindName(SymKind k) {
  switch (k) {
    case SymKind::Size: return "size";
    case SymKind::Const: return "constant";
    case SymKind::Input: return "input";
    case SymKind::Target: return "target";
    case SymKind::Param: return "param";
    case SymKind::Fixed: return "fixed tensor";
    case SymKind::State: return "state";
    case SymKind::Value: return "value";
    case SymKind::Out: return "output";
    case SymKind::Local: return "step local";
    case SymKind::StepVar: return "time variable";
  }
  return "?";
}

struct Symbol {
  SymKind kind;
  DslValue value;
  SrcLoc loc;  // line 0: predefined (T, B)
};

/// Graph names the unroller gives itself; a model file cannot declare them.
bool reservedName(const std::string& n) { return n == "loss" || n == "logits" || n == "hs"; }

/// True if a tensor of \p from dims broadcasts (numpy rules) to exactly \p to.
bool broadcastsTo(const Dims& from, const Dims& to) {
  if (from.size() > to.size()) return false;
  for (size_t i = 0; i < from.size(); ++i) {
    const int64_t f = from[from.size() - 1 - i], t = to[to.size() - 1 - i];
    if (f != t && f != 1) return false;
  }
  return true;
}

class Unroller {
 public:
  Unroller(const DslModel& ast, const ModelOptions& opts)
      : ast_(ast), opts_(opts), graph_(std::make_unique<Graph>(ast.name)), b_(*graph_),
        eval_(b_, ast.file, [this](const std::string& n, SrcLoc at) { return lookup(n, at); }) {}

  Model run() {
    checkOverrides();
    eval_.setNoise(opts_.noise);
    define("T", {SymKind::Size, DslValue::of(static_cast<double>(opts_.seqLen)), {}}, {});
    define("B", {SymKind::Size, DslValue::of(static_cast<double>(opts_.batch)), {}}, {});
    model_.name = ast_.name;
    model_.sizes = {{"T", opts_.seqLen}, {"B", opts_.batch}};
    for (const DslDecl& d : ast_.decls) declare(d);
    finish();
    model_.graph = std::move(graph_);
    return std::move(model_);
  }

 private:
  [[noreturn]] void fail(SrcLoc at, const std::string& msg) const { eval_.fail(at, msg); }
  static std::string where(SrcLoc at) { return std::to_string(at.line) + ":" + std::to_string(at.col); }

  void checkOverrides() {
    if (opts_.batch <= 0 || opts_.seqLen <= 0)
      fail(ast_.loc, "batch and sequence length must be positive, got B = " + std::to_string(opts_.batch) +
                         ", T = " + std::to_string(opts_.seqLen));
    checkCount(opts_.seqLen, limits::kMaxSequenceLength, "the sequence length T");
    checkCount(opts_.batch, limits::kMaxDimension, "the batch size B");
    for (const auto& [name, value] : opts_.sizeOverrides) {
      if (name == "T" || name == "B")
        fail(ast_.loc, "size override '" + name + "': T and B are set by the run's sequence length and batch");
      if (!declaresName(ast_, DslDecl::Kind::Size, name))
        fail(ast_.loc, "size override '" + name + "': model '" + ast_.name + "' declares no size '" + name +
                           "' (its sizes: " + declaredNames(ast_, DslDecl::Kind::Size) + ")");
      if (value <= 0) fail(ast_.loc, "size override '" + name + "' must be positive, got " + std::to_string(value));
      checkCount(value, limits::kMaxDimension, "size override " + name);
    }
    for (const auto& entry : opts_.constOverrides)
      if (!declaresName(ast_, DslDecl::Kind::Const, entry.first))
        fail(ast_.loc, "constant override '" + entry.first + "': model '" + ast_.name + "' declares no constant '" +
                           entry.first + "' (its constants: " + declaredNames(ast_, DslDecl::Kind::Const) + ")");
  }

  DslValue lookup(const std::string& name, SrcLoc at) const {
    if (inStep_) {
      auto it = locals_.find(name);
      if (it != locals_.end()) return it->second.value;
    }
    auto it = globals_.find(name);
    if (it != globals_.end()) return it->second.value;
    if (stepNames_.count(name) && !inStep_)
      fail(at, "unknown identifier '" + name + "' (it is local to the step block)");
    fail(at, "unknown identifier '" + name + "'");
  }

  /// Fails if \p name is already a global.
  void checkFree(const std::string& name, SrcLoc at) {
    if (globals_.count(name)) define(name, {}, at);
  }

  /// Adds a global, failing on a second definition of the same name.
  void define(const std::string& name, Symbol sym, SrcLoc at) {
    auto it = globals_.find(name);
    if (it != globals_.end()) {
      if (it->second.loc.line == 0)
        fail(at, "redefinition of '" + name + "': it is predefined (" + (name == "T" ? "the sequence length" : "the batch size") + ")");
      fail(at, "redefinition of '" + name + "' (a " + symKindName(it->second.kind) + " defined at " + where(it->second.loc) + ")");
    }
    globals_[name] = sym;
  }

  /// A positive integer from \p e (a size or a dimension).
  int64_t positiveInt(const DslExpr& e, const std::string& what) {
    const double v = eval_.evalNumber(e, what);
    if (v <= 0 || v != std::floor(v)) fail(e.loc, what + " must be a positive integer, got " + formatNumber(v));
    if (v > static_cast<double>(limits::kMaxDimension))
      fail(e.loc, what + " is " + formatNumber(v) + ", more than the limit of " + std::to_string(limits::kMaxDimension));
    return static_cast<int64_t>(v);
  }

  TensorType type(const DslDecl& d, const char* defaultDtype) {
    Dims dims;
    for (const DslExprPtr& e : d.type.dims) dims.push_back(positiveInt(*e, "a dimension"));
    const std::string dtype = d.type.dtype.empty() ? defaultDtype : d.type.dtype;
    return {dtype == "i64" ? DType::I64 : DType::F32, dims};
  }

  void declareLeafName(const DslDecl& d) {
    if (reservedName(d.name)) fail(d.nameLoc, "'" + d.name + "' is reserved for a graph output and cannot be declared");
  }

  void declare(const DslDecl& d) {
    using K = DslDecl::Kind;
    switch (d.kind) {
      case K::Size: {
        int64_t v = positiveInt(*d.value, "size '" + d.name + "'");
        auto over = opts_.sizeOverrides.find(d.name);
        if (over != opts_.sizeOverrides.end()) v = over->second;
        define(d.name, {SymKind::Size, DslValue::of(static_cast<double>(v)), d.nameLoc}, d.nameLoc);
        model_.sizes[d.name] = v;
        return;
      }
      case K::Const: {
        double v = eval_.evalNumber(*d.value, "constant '" + d.name + "'");
        auto over = opts_.constOverrides.find(d.name);
        if (over != opts_.constOverrides.end()) v = over->second;
        define(d.name, {SymKind::Const, DslValue::of(v), d.nameLoc}, d.nameLoc);
        model_.consts[d.name] = v;
        return;
      }
      case K::Input:
      case K::Target: {
        declareLeafName(d);
        const bool isInput = d.kind == K::Input;
        if (!isInput && !model_.labels.empty()) fail(d.loc, "a second target: the model already has target '" + model_.labels + "'");
        TensorType ty = type(d, isInput ? "f32" : "i64");
        define(d.name, {isInput ? SymKind::Input : SymKind::Target, {}, d.nameLoc}, d.nameLoc);
        globals_[d.name].value = DslValue::of(b_.input(d.name, ty));
        if (isInput) {
          if (model_.input.empty()) model_.input = d.name;
          model_.inputs.push_back(d.name);
        } else {
          model_.labels = d.name;
        }
        return;
      }
      case K::Param:
      case K::Fixed: return declareParam(d);
      case K::State: return declareState(d);
      case K::Step: return unroll(d);
      case K::Assign: return assign(d);
    }
  }

  /// A param, or a fixed tensor (a param node marked fixed=true, which autodiff leaves alone).
  void declareParam(const DslDecl& d) {
    declareLeafName(d);
    const bool fixed = d.kind == DslDecl::Kind::Fixed;
    const std::string what = std::string(fixed ? "fixed tensor '" : "param '") + d.name + "'";
    if (d.type.dtype == "i64") fail(d.type.loc, what + " must be f32");
    TensorType ty = type(d, "f32");
    define(d.name, {fixed ? SymKind::Fixed : SymKind::Param, {}, d.nameLoc}, d.nameLoc);
    const DslExpr& init = *d.value;
    Attrs attrs;
    if (fixed && init.kind == DslExpr::Kind::Call && init.name == "npy") {
      attrs.set("init", std::string("file"));
      attrs.set("file", npyPath(init, ty.dims, what));
    } else {
      attrs.set("init", initSpec(init, ty.dims, what, fixed));
    }
    if (fixed) attrs.set("fixed", true);
    globals_[d.name].value = DslValue::of(graph_->create(OpKind::Param, {}, ty, attrs, d.name, Stage::Fwd));
    (fixed ? model_.fixed : model_.params).push_back(d.name);
  }

  /// The canonical text of initialiser \p init for a tensor of \p dims, or a file:line:col error.
  std::string initSpec(const DslExpr& init, const Dims& dims, const std::string& what, bool fixed) {
    InitSpec spec;
    if (init.kind == DslExpr::Kind::Name) {
      spec.kind = init.name;
    } else if (init.kind == DslExpr::Kind::Call) {
      spec.kind = init.name;
      for (const DslExprPtr& a : init.args) spec.args.push_back(eval_.evalNumber(*a, "an initialiser argument"));
    } else {
      fail(init.loc, "bad initialiser for " + what + ": expected zeros, ones, constant(v), uniform(lo, hi), normal(std), "
                     "kaiming_normal(scale), orthogonal, identity, dale(fraction), bernoulli(p[, seed])" + (fixed ? " or npy(\"FILE\")" : ""));
    }
    try {
      checkInitSpec(spec, dims);
    } catch (const Error& e) {
      fail(init.loc, "bad initialiser for " + what + ": " + e.what());
    }
    return formatInitSpec(spec);
  }

  /// npy("FILE"): the path, relative to the model file, checked now so a bad file is a
  /// file:line:col error.
  std::string npyPath(const DslExpr& init, const Dims& dims, const std::string& what) {
    if (init.args.size() != 1 || init.args[0]->kind != DslExpr::Kind::String)
      fail(init.loc, "npy(\"FILE\") takes one quoted file name");
    std::string path = init.args[0]->name;
    const size_t slash = ast_.file.find_last_of('/');
    if (!path.empty() && path[0] != '/' && slash != std::string::npos) path = ast_.file.substr(0, slash + 1) + path;
    try {
      loadNpyValues(path, dims);
    } catch (const Error& e) {
      fail(init.args[0]->loc, "bad values for " + what + ": " + e.what());
    }
    return path;
  }

  /// A state starts as a constant (zeros, ones, a number) or as a tensor expression broadcast to
  /// its shape, e.g. a param h0 : [H]; gradients then flow into that param.
  void declareState(const DslDecl& d) {
    declareLeafName(d);
    if (d.type.dtype == "i64") fail(d.type.loc, "state '" + d.name + "' must be f32");
    TensorType ty = type(d, "f32");
    define(d.name, {SymKind::State, {}, d.nameLoc}, d.nameLoc);
    const DslExpr& init = *d.value;
    const std::string first = d.name + "_0";
    Node* start = nullptr;
    if (init.kind == DslExpr::Kind::Name && (init.name == "zeros" || init.name == "ones")) {
      start = b_.constant(init.name == "ones" ? 1 : 0, ty.dims, first);
    } else {
      DslValue value = eval_.eval(init);
      if (value.isNumber()) {
        start = b_.constant(value.number, ty.dims, first);
      } else if (value.node->type() == ty) {
        start = value.node;
      } else {
        if (value.node->type().dtype != DType::F32 || broadcastsTo(value.node->dims(), ty.dims) == false)
          fail(init.loc, "bad initial value for state '" + d.name + "': " + value.node->type().str() +
                             " does not broadcast to its type " + ty.str() + " (expected zeros, ones, a number or a tensor "
                             "that broadcasts, e.g. a param h0 : [H])");
        start = eval_.make(init.loc, OpKind::Broadcast, {value.node}, {{"shape", ty.dims}}, first);
      }
    }
    globals_[d.name].value = DslValue::of(start);
    stateTypes_[d.name] = ty;
    states_.push_back(d.name);
    if (model_.hidden.empty()) model_.hidden = d.name;
  }

  void assign(const DslDecl& d);
  void unroll(const DslDecl& d);
  void runStep(const DslDecl& d, int64_t t);
  void finish();

  const DslModel& ast_;
  const ModelOptions& opts_;
  std::unique_ptr<Graph> graph_;
  Builder b_;
  DslEvaluator eval_;
  Model model_;
  std::map<std::string, Symbol> globals_;
  std::map<std::string, Symbol> locals_;   // the current step's locals and outputs
  std::set<std::string> stepNames_;        // every name the step block defines
  std::vector<std::string> states_;        // in declaration order
  std::vector<std::string> outs_;          // in first-definition order
  std::map<std::string, std::vector<Node*>> outSeq_, stateSeq_;
  std::map<std::string, TensorType> stateTypes_;
  bool inStep_ = false;
  SrcLoc stepLoc_;
  Node* loss_ = nullptr;
  Node* logits_ = nullptr;
  std::vector<Node*> extraOuts_;
};



void Unroller::assign(const DslDecl& d) {
  checkFree(d.name, d.nameLoc);
  if (d.name == "loss") {
    DslValue v = eval_.eval(*d.value, "loss");
    if (v.isNumber()) fail(d.nameLoc, "the loss must be a tensor expression, got the number " + formatNumber(v.number));
    if (v.node->name() != "loss")
      fail(d.nameLoc, "the loss must be computed by this expression, not name another value (%" + v.node->name() + ")");
    if (v.node->type() != TensorType::f32({}))
      fail(d.nameLoc, "the loss must be a scalar f32[], got " + v.node->type().str());
    define("loss", {SymKind::Value, v, d.nameLoc}, d.nameLoc);
    loss_ = v.node;
    return;
  }
  declareLeafName(d);
  DslValue v = eval_.eval(*d.value, d.name);
  define(d.name, {v.isNumber() ? SymKind::Const : SymKind::Value, v, d.nameLoc}, d.nameLoc);
  if (!v.isNumber() && v.node->name() == d.name) model_.derived.push_back(d.name);
}

void Unroller::unroll(const DslDecl& d) {
  if (stepLoc_.line) fail(d.loc, "a second step block (the model's step block is at " + where(stepLoc_) + ")");
  stepLoc_ = d.loc;
  checkFree(d.name, d.nameLoc);
  // Static checks on the block's names, before unrolling.
  std::map<std::string, SrcLoc> seen;
  for (const DslStmt& s : d.body) {
    auto prev = seen.find(s.name);
    if (s.name == d.name) fail(s.loc, "cannot assign to the time variable '" + d.name + "'");
    auto g = globals_.find(s.name);
    if (s.isOut) {
      if (g != globals_.end()) checkFree(s.name, s.loc);
      if (s.name == "loss" || s.name == "hs" || (s.name == "logits" && !outs_.empty()))
        fail(s.loc, "'" + s.name + "' is reserved for a graph output and cannot name this output");
      if (prev != seen.end()) fail(s.loc, "redefinition of '" + s.name + "' (first defined at " + where(prev->second) + ")");
      outs_.push_back(s.name);
    } else if (g != globals_.end()) {
      if (g->second.kind != SymKind::State)
        fail(s.loc, "cannot assign to " + std::string(symKindName(g->second.kind)) + " '" + s.name +
                        "' in the step block (only states are updated; pick a new name for a local)");
      if (prev != seen.end())
        fail(s.loc, "state '" + s.name + "' is updated twice in the step block (first at " + where(prev->second) + ")");
    } else if (prev != seen.end()) {
      fail(s.loc, "redefinition of '" + s.name + "' (first defined at " + where(prev->second) + ")");
    }
    seen[s.name] = s.loc;
    stepNames_.insert(s.name);
  }
  if (outs_.empty()) fail(d.loc, "the step block has no output (add the readout, e.g. 'out o = h @ w_ro + b_ro')");
  inStep_ = true;
  for (int64_t t = 0; t < opts_.seqLen; ++t) runStep(d, t);
  inStep_ = false;
  locals_.clear();
  for (size_t i = 0; i < outs_.size(); ++i) {
    SrcLoc at;
    for (const DslStmt& s : d.body)
      if (s.isOut && s.name == outs_[i]) at = s.loc;
    Node* stacked = eval_.make(at, OpKind::Stack, outSeq_[outs_[i]], {{"axis", int64_t{0}}}, i == 0 ? "logits" : outs_[i]);
    globals_[outs_[i]] = {SymKind::Out, DslValue::of(stacked), at};
    if (i == 0) {
      logits_ = stacked;
      model_.logits = outs_[i];
    } else {
      extraOuts_.push_back(stacked);
    }
  }
}

void Unroller::runStep(const DslDecl& d, int64_t t) {
  locals_.clear();
  locals_[d.name] = {SymKind::StepVar, DslValue::of(static_cast<double>(t)), d.nameLoc};
  for (const DslStmt& s : d.body) {
    auto g = globals_.find(s.name);
    const bool isState = !s.isOut && g != globals_.end();
    const std::string nodeName = s.name + "_" + std::to_string(isState ? t + 1 : t);
    DslValue v = eval_.eval(*s.value, nodeName);
    if (s.isOut || isState) {
      if (v.isNumber())
        fail(s.loc, std::string(s.isOut ? "output '" : "state '") + s.name + "' must be a tensor, got the number " +
                               formatNumber(v.number));
    }
    if (isState) {
      const TensorType& want = stateTypes_[s.name];
      if (v.node->type() != want)
        fail(s.loc, "state '" + s.name + "' is " + want.str() + " but the step assigns it " + v.node->type().str());
      g->second.value = v;
    } else {
      locals_[s.name] = {s.isOut ? SymKind::Out : SymKind::Local, v, s.loc};
      if (s.isOut) outSeq_[s.name].push_back(v.node);
    }
  }
  for (const std::string& st : states_) stateSeq_[st].push_back(globals_[st].value.node);
}

void Unroller::finish() {
  const std::string model = "model '" + ast_.name + "'";
  if (model_.inputs.empty()) fail(ast_.end, model + " declares no input (e.g. 'input x : f32[T, B, I]')");
  if (model_.labels.empty()) fail(ast_.end, model + " declares no target (e.g. 'target labels : i64[T, B]')");
  if (!stepLoc_.line) fail(ast_.end, model + " has no step block ('step t { ... }')");
  if (!loss_) fail(ast_.end, model + " has no loss (add 'loss = cross_entropy(o, labels)')");
  graph_->addOutput(loss_);
  graph_->addOutput(logits_);
  if (opts_.returnHidden) {
    if (states_.empty()) fail(ast_.loc, model + " has no state to return as %hs");
    for (const std::string& st : states_)
      graph_->addOutput(eval_.make(stepLoc_, OpKind::Stack, stateSeq_[st], {{"axis", int64_t{0}}},
                                   st == states_.front() ? "hs" : "hs." + st));
  }
  model_.states = states_;
  for (Node* n : extraOuts_) graph_->addOutput(n);
  verifyOrThrow(*graph_, ast_.file);
}

}  // namespace

Model unrollDsl(const DslModel& ast, const ModelOptions& opts) { return Unroller(ast, opts).run(); }

}  // namespace mnemo
