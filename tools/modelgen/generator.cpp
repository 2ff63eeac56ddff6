#include "generator.h"

#include <random>

#include "op_table.h"

namespace mnemo::modelgen {

namespace {

const SymDims kBH = {"B", "H"}, kH = {"H"}, kBO = {"B", "O"}, kScalar = {};

class Generator {
 public:
  // Every third seed keeps to the forms the Builder path unrolls too (builderCanBuild).
  explicit Generator(uint64_t seed) : rng_(seed), classic_(seed % 3 == 0) { m_.seed = seed; }

  GenModel run() {
    m_.seqLen = pickOf<int64_t>({1, 1, 2, 2, 3, 5, 7, 33, 34, 100});
    m_.batch = pickOf<int64_t>({1, 2, 3, 5, 7, 16});
    m_.sizes["H"] = pickOf<int64_t>({1, 2, 3, 5, 8, 13, 3, 5, 64});
    if (m_.sizes["H"] == 64 && m_.seqLen == 100) m_.seqLen = 34;  // keeps one check under a few seconds
    m_.sizes["O"] = pickOf<int64_t>({2, 3, 5});
    int nInputs = 1 + pick(2);
    for (int k = 0; k < nInputs; ++k) {
      std::string size = "I" + std::to_string(k);
      m_.sizes[size] = pickOf<int64_t>({1, 2, 3});
      m_.inputs.push_back({"x" + std::to_string(k), {"T", "B", size}, ""});
    }
    std::vector<SymDims> stateShapes = {kBH};
    if (chance(0.3)) {  // a second hidden size: states of two widths
      m_.sizes["K"] = pickOf<int64_t>({1, 4, 7});
      stateShapes.push_back({"B", "K"});
    }
    int nStates = 1 + pick(3);
    for (int k = 0; k < nStates; ++k) {
      std::string init = pickOf<std::string>({"zeros", "zeros", "ones", "0.1", "0.5", "-0.25", "param"});
      SymDims shape = k == 0 ? kBH : pickOf(stateShapes);
      if (init == "param" && classic_) init = "zeros";
      if (init == "param") {  // a trained initial state, broadcast over the batch
        init = "h0_" + std::to_string(k);
        m_.params.push_back({init, {shape[1]}, "uniform(-0.5, 0.5)"});
      }
      m_.states.push_back({"s" + std::to_string(k), shape, init});
      scope_.push_back({"s" + std::to_string(k), shape});
    }
    const int depth = 2 + pick(2);
    for (int k = pick(3); k > 0; --k)
      addStatement(Statement::Local, "v" + std::to_string(locals_++), pickOf(stateShapes), depth);
    for (const Decl& s : m_.states) {
      if (!chance(0.9)) continue;
      m_.step.push_back({Statement::State, s.name, stateUpdate(s.name, s.dims, depth)});
    }
    addStatement(Statement::Out, "o", kBO, depth);
    for (int k = pick(3); k > 0; --k)
      addStatement(Statement::Out, "r" + std::to_string(k), pickOf<SymDims>({kBH, kBO, kScalar, kH, {"B", "I0"}}), depth);
    m_.mainLoss = Expr{"cross_entropy", {name("o", {"T", "B", "O"})}, "", 0, {}, kScalar};
    if (!classic_ && chance(0.25)) {  // per-position weights from a fixed tensor
      m_.fixeds.push_back({"weights", {"T", "B"}, pickOf<std::string>({"ones", "uniform(0, 1)"})});
      m_.mainLoss.args.push_back(name("weights", {"T", "B"}));
    }
    for (int k = pick(4); k > 0; --k) m_.extraLoss.push_back(lossTerm());
    if (m_.params.empty()) {  // random leaves (randn, rand, fixed tensors) can leave nothing to train
      m_.params.push_back({"p_decay", kH, "uniform(-0.5, 0.5)"});
      m_.extraLoss.push_back(op("mul", {num(0.01), op("sum", {op("square", {name("p_decay", kH)}, kH)}, kScalar)}, kScalar));
    }
    return m_;
  }

 private:
  int pick(int n) { return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(rng_)); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  template <class T>
  T pickOf(const std::vector<T>& options) { return options[static_cast<size_t>(pick(static_cast<int>(options.size())))]; }

  static Expr name(const std::string& n, SymDims shape) { return Expr{"name", {}, n, 0, {}, std::move(shape)}; }
  static Expr num(double v) { return Expr{"number", {}, "", v, {}, kScalar}; }
  static Expr op(const std::string& row, std::vector<Expr> args, SymDims shape, std::vector<int> axes = {}) {
    return Expr{row, std::move(args), "", 0, std::move(axes), std::move(shape)};
  }
  static bool plainSize(const std::string& s) { return s != "1" && s.find(' ') == std::string::npos; }
  double constant() { return pickOf<double>({0.5, 2, 0.1, 1e-4, 3, 1.5, 0.25, -0.5, 1}); }

  void addStatement(Statement::Kind kind, const std::string& n, const SymDims& shape, int depth) {
    m_.step.push_back({kind, n, tensor(shape, depth)});
    scope_.push_back({n, shape});
    if (kind == Statement::Out) outs_.push_back({n, shape});
  }

  /// s = s·(1−a) + f(e)·a or s = f(e), with f squashing (relu only when leaky).
  Expr stateUpdate(const std::string& s, const SymDims& shape, int depth) {
    double a = pickOf<double>({0.2, 0.25, 0.5, 1});
    std::string f = pickOf<std::string>({"tanh", "tanh", "sigmoid", "relu"});
    if (f == "relu" && a == 1) f = "tanh";
    Expr drive = op(f, {tensor(shape, depth)}, shape);
    if (chance(0.2)) return drive;
    return op("add", {op("mul", {name(s, shape), num(1 - a)}, shape), op("mul", {drive, num(a)}, shape)}, shape);
  }

  /// A param of \p dims: an existing one half the time, else a new one.
  std::string param(const SymDims& dims) {
    std::vector<std::string> same;
    for (const Decl& p : m_.params)
      if (p.dims == dims) same.push_back(p.name);
    if (!same.empty() && chance(0.5)) return pickOf(same);
    std::string n = "w" + std::to_string(m_.params.size());
    std::string init = dims.size() == 2 ? pickOf<std::string>({"kaiming_normal(1)", "kaiming_normal(1)", "orthogonal", "identity(0.5)"})
                                        : pickOf<std::string>({"zeros", "uniform(-0.5, 0.5)"});
    m_.params.push_back({n, dims, init});
    return n;
  }

  /// The simplest tensor of \p shape.
  Expr leaf(const SymDims& shape) {
    if (shape.size() == 2 && shape[0] == "B") {
      if (shape[1].rfind("I", 0) == 0) return Expr{"select", {}, "x" + shape[1].substr(1), 0, {}, shape};
      std::vector<std::string> same;
      for (const auto& [n, s] : scope_)
        if (s == shape) same.push_back(n);
      if (!same.empty()) return name(pickOf(same), shape);
      return matmul(shape, 0);
    }
    if (shape.empty()) return op(pickOf<std::string>({"mean", "sum"}), {leaf(kBH)}, kScalar);
    if (!classic_ && chance(0.15)) {  // a fixed (never trained) tensor
      std::string n = "f" + std::to_string(m_.fixeds.size());
      m_.fixeds.push_back({n, shape, pickOf<std::string>({"ones", "uniform(-0.5, 0.5)"})});
      return name(n, shape);
    }
    return name(param(shape), shape);
  }

  /// A product of \p shape over a random inner size, or over an input's size when \p overInput.
  Expr matmul(const SymDims& shape, int depth, bool overInput = false) {
    std::vector<std::string> inner = {"H", "H"}, inputs;
    if (m_.sizes.count("K")) inner.push_back("K");
    for (size_t k = 0; k < m_.inputs.size(); ++k) inputs.push_back("I" + std::to_string(k));
    inner.insert(inner.end(), inputs.begin(), inputs.end());
    std::string k = overInput && !inputs.empty() ? pickOf(inputs) : pickOf(inner);
    Expr a = tensor({"B", k}, depth - 1);
    Expr w = chance(0.85) ? name(param({k, shape[1]}), {k, shape[1]}) : tensor({k, shape[1]}, 1);
    return op(chance(0.85) ? "matmul" : "matmul_call", {a, w}, shape);
  }

  /// A positive expression of \p shape (for log, sqrt and divisors).
  Expr positive(const SymDims& shape, int depth) {
    Expr e = tensor(shape, depth);
    switch (pick(3)) {
      case 0: return op("add", {op("square", {e}, shape), num(pickOf<double>({0.5, 1, 0.1}))}, shape);
      case 1: return op("add", {op("sigmoid", {e}, shape), num(pickOf<double>({0.5, 0.1}))}, shape);
      default: return op("exp", {op("tanh", {e}, shape)}, shape);
    }
  }

  /// A shape that broadcasts to \p shape (a trailing part of it, or a scalar).
  SymDims smaller(const SymDims& shape) {
    if (shape.size() == 2 && chance(0.6)) {
      double c = std::uniform_real_distribution<double>(0, 1)(rng_);
      if (c < 0.7) return {shape[1]};
      return c < 0.85 ? SymDims{"1", shape[1]} : SymDims{shape[0], "1"};  // per column or per row
    }
    return kScalar;
  }

  /// An operand of \p shape, or of a shape that broadcasts to it (a number for a scalar).
  Expr broadcastOperand(const SymDims& shape, int depth, bool positiveNeeded) {
    SymDims s = smaller(shape);
    if (s.empty() && chance(0.6)) {
      if (!positiveNeeded && chance(0.1)) return Expr{"time", {}, "", 0, {}, kScalar};  // (t + 1), per step
      return num(positiveNeeded ? pickOf<double>({2, 0.5, 4}) : constant());
    }
    return positiveNeeded ? positive(s, depth) : tensor(s, depth);
  }

  Expr tensor(const SymDims& shape, int depth) {
    if (depth <= 0 || chance(0.2)) return leaf(shape);
    std::vector<const OpRow*> rows;
    int total = 0;
    for (const OpRow& r : opRows()) {
      bool fits = r.kind == OpRow::Unary || r.kind == OpRow::Binary ||
                  (r.kind == OpRow::MatMul && shape.size() == 2 && shape[0] == "B") ||
                  (r.kind == OpRow::Reduce && shape.size() < 2 && shape != SymDims{"B"}) ||
                  (r.kind == OpRow::Reduce && shape.size() == 2 && (shape[0] == "1" || shape[1] == "1")) ||
                  r.kind == OpRow::Compare || r.kind == OpRow::Where ||
                  (r.kind == OpRow::Slice && shape.size() == 2 && shape[0] == "B" && plainSize(shape[1])) ||
                  (r.kind == OpRow::Concat && shape.size() == 2 && shape[0] == "B" && shape[1].rfind("2 * ", 0) == 0) ||
                  (r.kind == OpRow::Transpose && shape.size() == 2 && shape[0] != "B") ||
                  (r.kind == OpRow::Reshape && (shape.size() == 1 || (shape.size() == 2 && shape[0] == "1")) &&
                   plainSize(shape.back())) ||
                  (r.kind == OpRow::Noise && !shape.empty());
      bool builderRow = r.kind == OpRow::Unary || r.kind == OpRow::Binary || r.kind == OpRow::MatMul ||
                        (r.kind == OpRow::Reduce && shape.size() < 2);
      if (!fits || (classic_ && !builderRow)) continue;
      rows.push_back(&r);
      total += r.weight;
    }
    int at = pick(total);
    const OpRow* row = rows.back();
    for (const OpRow* r : rows)
      if ((at -= r->weight) < 0) { row = r; break; }
    switch (row->kind) {
      case OpRow::Unary:
        return op(row->id, {row->positiveArgs ? positive(shape, depth - 1) : tensor(shape, depth - 1)}, shape);
      case OpRow::Binary: {
        // A recurrent cell's sum of two products (x·W_in + h·W): the micro-kernel may run the
        // shallower one inside the other's step (a second product), so make it common.
        if (std::string(row->id) == "add" && shape.size() == 2 && shape[0] == "B" && chance(0.25))
          return op(row->id, {matmul(shape, depth, true), matmul(shape, depth)}, shape);
        Expr full = tensor(shape, depth - 1);
        bool bothFull = chance(0.4);
        if (row->positiveRight) {
          Expr right = bothFull ? positive(shape, depth - 1) : broadcastOperand(shape, depth - 1, true);
          if (!bothFull && chance(0.3)) return op(row->id, {broadcastOperand(shape, depth - 1, false), positive(shape, depth - 1)}, shape);
          return op(row->id, {full, right}, shape);
        }
        Expr other = bothFull ? tensor(shape, depth - 1) : broadcastOperand(shape, depth - 1, false);
        if (chance(0.5)) std::swap(full, other);
        return op(row->id, {full, other}, shape);
      }
      case OpRow::MatMul: {
        Expr e = matmul(shape, depth);
        e.op = row->id;
        return e;
      }
      case OpRow::Compare: {  // 1 where the relation holds: against a number or a tensor
        Expr a = tensor(shape, depth - 1), b = broadcastOperand(shape, depth - 1, false);
        if (chance(0.5)) std::swap(a, b);
        return op(row->id, {a, b}, shape);
      }
      case OpRow::Where: {
        Expr cond = op(pickOf<std::string>({"less", "greater", "greater_equal"}), {tensor(shape, depth - 1), num(constant())}, shape);
        Expr a = tensor(shape, depth - 1), b = broadcastOperand(shape, depth - 1, false);
        if (chance(0.5)) std::swap(a, b);
        return op(row->id, {cond, a, b}, shape);
      }
      case OpRow::Slice: {  // one half of a [B, 2 * X] value, often a concat (split again)
        SymDims whole = {"B", "2 * " + shape[1]};
        Expr from = chance(0.4) ? op("concat", {tensor(shape, depth - 1), tensor(shape, depth - 1)}, whole, {1})
                                : tensor(whole, depth - 1);
        return op(row->id, {from}, shape, {pick(2)});
      }
      case OpRow::Concat: {
        SymDims half = {"B", shape[1].substr(4)};
        return op(row->id, {tensor(half, depth - 1), tensor(half, depth - 1)}, shape, {1});
      }
      case OpRow::Transpose:
        return op(row->id, {tensor({shape[1], shape[0]}, depth - 1)}, shape, chance(0.5) ? std::vector<int>{1, 0} : std::vector<int>{});
      case OpRow::Reshape:
        return op(row->id, {tensor(shape.size() == 1 ? SymDims{"1", shape[0]} : SymDims{shape[1]}, depth - 1)}, shape);
      case OpRow::Noise:  // a fresh draw of the expression's shape, every step
        return op(row->id, {}, shape);
      case OpRow::Reduce: {
        if (shape.size() == 2) {  // keepdims: [B, 1] per row or [1, X] per column
          bool perRow = shape[1] == "1";
          Expr e = op(row->id, {tensor(perRow ? SymDims{shape[0], pickOf<std::string>({"H", "O"})} : SymDims{"B", shape[1]}, depth - 1)},
                      shape, {perRow ? 1 : 0});
          e.keepdims = true;
          return e;
        }
        if (shape.size() == 1) return op(row->id, {tensor({"B", shape[0]}, depth - 1)}, shape, {0});
        SymDims from = pickOf<SymDims>({kBH, kBH, kH, kBO});
        std::vector<int> axes;
        if (chance(0.3))
          for (size_t i = 0; i < from.size(); ++i) axes.push_back(static_cast<int>(i));
        return op(row->id, {tensor(from, depth - 1)}, shape, axes);
      }
    }
    return leaf(shape);
  }

  /// An extra loss term: weight decay on a param or a rate penalty on a stacked output, reduced
  /// over chosen axes and then fully, scaled by a number on either side.
  Expr lossTerm() {
    Expr x;
    bool onParam = outs_.empty() || chance(0.5);
    if (onParam && !m_.params.empty()) {
      const Decl& p = m_.params[static_cast<size_t>(pick(static_cast<int>(m_.params.size())))];
      x = name(p.name, p.dims);
    } else if (!outs_.empty()) {
      auto [n, s] = outs_[static_cast<size_t>(pick(static_cast<int>(outs_.size())))];
      s.insert(s.begin(), "T");
      x = name(n, s);
    } else {
      x = name("o", {"T", "B", "O"});
    }
    SymDims shape = x.shape;
    if (chance(0.6)) x = op("square", {x}, shape);
    if (shape.size() > 1 && chance(0.4)) {  // reduce over one axis first
      int axis = pick(static_cast<int>(shape.size()));
      SymDims rest = shape;
      rest.erase(rest.begin() + axis);
      x = op(chance(0.5) ? "sum" : "mean", {x}, rest, {axis});
    }
    x = op(chance(0.5) ? "sum" : "mean", {x}, kScalar);
    if (chance(0.2))  // a function of the reduced value: a scalar-shaped region
      x = op("sqrt", {op("add", {op("square", {x}, kScalar), num(1)}, kScalar)}, kScalar);
    if (chance(0.15)) x = op("mul", {x, op("mean", {tensor(kH, 0)}, kScalar)}, kScalar);
    if (!classic_ && chance(0.2)) x = Expr{"mse", {x.args.empty() ? x : x.args[0], num(constant())}, "", 0, {}, kScalar};
    double c = pickOf<double>({1e-4, 0.01, 0.5, 2});
    switch (pick(3)) {
      case 0: return op("mul", {num(c), x}, kScalar);
      case 1: return op("mul", {x, num(c)}, kScalar);
      default: return op("div", {x, num(1 / c)}, kScalar);
    }
  }

  std::mt19937_64 rng_;
  bool classic_;
  GenModel m_;
  std::vector<std::pair<std::string, SymDims>> scope_;  // values a step statement may read
  std::vector<std::pair<std::string, SymDims>> outs_;
  int locals_ = 0;
};

}  // namespace

GenModel generateModel(uint64_t seed) { return Generator(seed).run(); }

}  // namespace mnemo::modelgen
