#include "shrink.h"

#include <set>

namespace mnemo::modelgen {

namespace {

void visit(Expr& e, const std::function<void(Expr&)>& fn) {
  fn(e);
  for (Expr& a : e.args) visit(a, fn);
}

/// Every expression root of the model, statements first, then the loss.
std::vector<Expr*> roots(GenModel& m) {
  std::vector<Expr*> r;
  for (Statement& s : m.step) r.push_back(&s.value);
  r.push_back(&m.mainLoss);
  for (Expr& e : m.extraLoss) r.push_back(&e);
  return r;
}

/// Calls \p fn on expression node \p index (in visiting order) of a copy of \p m.
GenModel editNode(const GenModel& m, size_t index, const std::function<void(Expr&)>& fn) {
  GenModel copy = m;
  size_t at = 0;
  for (Expr* root : roots(copy))
    visit(*root, [&](Expr& e) {
      if (at++ == index) fn(e);
    });
  return copy;
}

std::set<std::string> namesRead(GenModel& m) {
  std::set<std::string> used;
  for (Expr* root : roots(m))
    visit(*root, [&](Expr& e) {
      if (e.op == "name" || e.op == "select") used.insert(e.name);
    });
  return used;
}

void addSmaller(std::vector<int64_t>& out, int64_t v) {
  for (int64_t c : {int64_t{1}, int64_t{2}, v / 2, v - 1})
    if (c >= 1 && c < v && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
}

}  // namespace

GenModel dropUnused(GenModel m) {
  std::set<std::string> used = namesRead(m);
  for (const Statement& s : m.step)
    if (s.kind == Statement::State) used.insert(s.name);
  for (const Decl& s : m.states) used.insert(s.init);  // a param initial state
  auto prune = [&](std::vector<Decl>& decls, bool keepOne) {
    std::vector<Decl> kept;
    for (const Decl& d : decls)
      if (used.count(d.name)) kept.push_back(d);
    if (kept.empty() && keepOne && !decls.empty()) kept.push_back(decls.front());
    decls = kept;
  };
  prune(m.params, false);
  prune(m.inputs, true);  // a model declares at least one input
  prune(m.states, false);
  for (const Decl& s : m.states) used.insert(s.init);
  prune(m.params, false);
  prune(m.fixeds, false);
  std::set<std::string> sizesUsed = {"O"};
  auto useSizes = [&](const SymDims& dims) {
    for (const std::string& s : dims) sizesUsed.insert(s.rfind("2 * ", 0) == 0 ? s.substr(4) : s);
  };
  for (auto* decls : {&m.params, &m.inputs, &m.states, &m.fixeds})
    for (const Decl& d : *decls) useSizes(d.dims);
  for (Expr* root : roots(m))
    visit(*root, [&](Expr& e) { useSizes(e.shape); });
  for (auto it = m.sizes.begin(); it != m.sizes.end();) it = sizesUsed.count(it->first) ? std::next(it) : m.sizes.erase(it);
  return m;
}

std::vector<GenModel> shrinkCandidates(const GenModel& model) {
  std::vector<GenModel> out;
  GenModel m = model;
  std::vector<int64_t> ts;
  addSmaller(ts, m.seqLen);
  for (int64_t t : ts) out.push_back(m), out.back().seqLen = t;
  for (size_t i = 0; i < m.extraLoss.size(); ++i) out.push_back(m), out.back().extraLoss.erase(out.back().extraLoss.begin() + i);
  for (size_t i = m.step.size(); i-- > 0;)
    if (m.step[i].name != "o") out.push_back(m), out.back().step.erase(out.back().step.begin() + i);
  // Expressions: an operand of the same shape, or the simplest value of the shape.
  size_t count = 0;
  for (Expr* root : roots(m)) visit(*root, [&](Expr&) { ++count; });
  for (size_t i = 0; i < count; ++i) {
    Expr node;
    editNode(m, i, [&](Expr& e) { node = e; });
    for (size_t a = 0; a < node.args.size(); ++a)
      if (node.args[a].shape == node.shape || node.args[a].op == "number")
        out.push_back(editNode(m, i, [&](Expr& e) { e = Expr(e.args[a]); }));
    if (node.op != "name" && node.op != "number" && node.op != "select" && node.op != "time") {
      if (node.shape.empty()) out.push_back(editNode(m, i, [](Expr& e) { e = Expr{"number", {}, "", 1, {}, {}}; }));
      if (node.shape == SymDims{"B", "H"} && !m.states.empty())
        out.push_back(editNode(m, i, [&](Expr& e) { e = Expr{"name", {}, m.states[0].name, 0, {}, e.shape}; }));
    }
  }
  std::vector<int64_t> bs;
  addSmaller(bs, m.batch);
  for (int64_t b : bs) out.push_back(m), out.back().batch = b;
  for (const auto& [name, v] : m.sizes) {
    std::vector<int64_t> vs;
    addSmaller(vs, v);
    for (int64_t c : vs)
      if (name != "O" || c >= 2) out.push_back(m), out.back().sizes[name] = c;
  }
  for (GenModel& c : out) c = dropUnused(std::move(c));
  return out;
}

ShrinkResult shrinkModel(const GenModel& model, const CheckResult& failure, const ModelCheck& check, int maxAttempts) {
  ShrinkResult r{dropUnused(model), failure, 0, 0};
  const std::string want = failure.signature();
  bool progress = true;
  while (progress && r.attempts < maxAttempts) {
    progress = false;
    std::string current = emitDsl(r.model);
    for (GenModel& c : shrinkCandidates(r.model)) {
      if (r.attempts >= maxAttempts) break;
      if (emitDsl(c) == current) continue;
      ++r.attempts;
      CheckResult res = check(c);
      if (res.status == CheckResult::Fail && res.signature() == want) {
        r.model = std::move(c), r.failure = res, ++r.accepted;
        progress = true;
        break;
      }
    }
  }
  return r;
}

}  // namespace mnemo::modelgen
