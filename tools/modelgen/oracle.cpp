#include "oracle.h"

#include <cmath>
#include <csignal>
#include <cstring>
#include <random>
#include <regex>
#include <sstream>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "builder_model.h"
#include "frontend/dsl/model.h"
#include "support/error.h"
#include "graph/passes/pass_manager.h"
#include "graph/passes/adam.h"
#include "ops/shape_util.h"
#include "runtime/reference/evaluator.h"
#include "runtime/session.h"

namespace mnemo::modelgen {

namespace {

// Tolerances. The runtime computes in float32 (unit roundoff u = 6e-8), the reference in
// float64. A value built from K float operations is off by at most about K·u relative to the
// magnitude of the terms it sums, and in practice by sqrt(K)·u; our largest models chain
// T = 100 steps of matmuls over H ≤ 13 (or T = 34 with H = 64) and reductions over at most
// T·B·H ≈ 35000 elements, so K·u stays within 2e-3 (a worst case that needs every rounding to
// go the same way) while sqrt(K)·u is ~1e-5. Errors are judged against the tensor's own magnitude
// (|ref_i| + max_j |ref_j|), because an element that is a cancellation of large terms carries
// the absolute error of those terms, not of its own small value. So:
//   |got_i − ref_i| ≤ kRelTol · (|ref_i| + max_j |ref_j|) + kAbsTol
// A real bug — a wrong op, operand, constant, broadcast or a missing term — changes values by
// O(1) of their magnitude, far above 1e-3. kAbsTol covers values that cancel to (nearly) zero
// from terms of order one, where the error is that of the terms, not of the result: oneDNN's
// vectorised exp, log, tanh and sigmoid are polynomial approximations accurate to a few ulps of
// their O(1) arguments and results, so log(exp(o − o)) is −1.4e-6 instead of 0 (a generated
// model showed exactly this), and log(exp(0)) of a zero state came out as −1.09e-5 (modelgen seed
// 69 once the op table grew); 5e-5 is about 400 ulps at magnitude one, still far below the O(1)
// change a real bug makes.
// A parameter's gradient sums one such term per time step and batch row (T·B of them), whose
// independent errors add up like a random walk: its absolute floor is kAbsTol·sqrt(T·B) (a
// state that is exactly zero in float64 and 1e-6 in float32 gave a weight gradient of 2.4e-5
// over T·B = 170 positions where the exact one is 0).
constexpr double kRelTol = 1e-3;
constexpr double kAbsTol = 5e-5;
// Adam's first steps move every parameter by about lr·sign(g) (m̂/√v̂ = g/|g| at step 1), so a
// parameter after an update depends on its gradient only through the gradient's sign and,
// weakly, its ratio to the next one. Where the reference gradient is clearly resolved (well
// above both the gradient tolerance and Adam's ε) the update must match to kAdamRel·lr per step;
// where it is not (float noise may flip its sign) only Adam's bound |Δp| ≤ lr·(1 + small) holds,
// so the two may differ by up to 2·lr per step.
constexpr double kAdamRel = 0.05;
constexpr double kLr = 1e-3, kBeta1 = 0.9;
// Reference values beyond this (or non-finite), anywhere in the computation, make the model
// degenerate: its float32 run cannot be compared meaningfully (such a value carries an absolute
// error of 1e6·u = 0.06 into every cancellation downstream, and a float32 overflow turns a
// saturated tanh's zero gradient into inf·0 = NaN), so the generator discards it.
constexpr double kDegenerate = 1e6;

struct Values {
  std::string label;
  std::vector<double> data;
};

/// \p share scales both tolerances (a check that must leave room for the runtime's own error).
std::string compareValues(const Values& ref, const std::vector<float>& got, double absTol = kAbsTol,
                          double share = 1) {
  if (ref.data.size() != got.size())
    return ref.label + ": " + std::to_string(got.size()) + " values, expected " + std::to_string(ref.data.size());
  double scale = 0;
  for (double v : ref.data) scale = std::max(scale, std::fabs(v));
  for (size_t i = 0; i < got.size(); ++i) {
    double err = std::fabs(static_cast<double>(got[i]) - ref.data[i]);
    if (!(err <= share * (kRelTol * (std::fabs(ref.data[i]) + scale) + absTol))) {
      std::ostringstream os;
      os.precision(7);
      os << ref.label << "[" << i << "] = " << got[i] << ", reference " << ref.data[i] << " (tensor magnitude "
         << scale << ")";
      return os.str();
    }
  }
  return "";
}

/// Parameters after \p steps Adam steps; \p grad is the step-1 reference gradient.
std::string compareParams(const Values& ref, const std::vector<double>& grad, const std::vector<float>& got, int steps,
                          double gradAbsTol) {
  double gscale = 0;
  for (double g : grad) gscale = std::max(gscale, std::fabs(g));
  for (size_t i = 0; i < got.size(); ++i) {
    double gtol = kRelTol * (std::fabs(grad[i]) + gscale) + gradAbsTol;
    bool resolved = std::fabs(grad[i]) > 10 * gtol && std::fabs(grad[i]) > 1e-5;
    double tol = 1e-6 * (1 + std::fabs(ref.data[i])) + steps * kLr * (resolved ? kAdamRel : 2.0);
    double err = std::fabs(static_cast<double>(got[i]) - ref.data[i]);
    if (!(err <= tol)) {
      std::ostringstream os;
      os.precision(7);
      os << ref.label << "[" << i << "] = " << got[i] << ", reference " << ref.data[i] << " (gradient " << grad[i] << ")";
      return os.str();
    }
  }
  return "";
}

std::vector<double> asVector(const RefTensor& t) { return t.data; }

/// What the reference computed for the model.
struct Expected {
  std::vector<Values> outputs;  // step 1: loss, logits, further outputs (in graph output order)
  std::vector<std::string> params;
  std::vector<Values> grads, after1, after2;
  double gradAbsTol = kAbsTol;  // kAbsTol·sqrt(T·B)·max(1, largest gradient)
  double lossAbsTol = kAbsTol;  // kAbsTol·(1 + Σ |∂loss/∂output|)
};

/// The seed of a model's random draws (randn, rand), and its state for training step \p step.
constexpr int64_t kRandomSeed = 777;
RefTensor randomSeedTensor(int64_t step) {
  return RefTensor(TensorType::i64({2}), {static_cast<double>(kRandomSeed), static_cast<double>(step)});
}

/// Float-rounded random inputs and parameters, by name: inputs in [−1, 1], labels uniform over
/// the classes, matrices with variance 1/fan_in (so recurrences neither explode nor vanish),
/// vectors in [−0.5, 0.5].
std::map<std::string, RefTensor> makeBindings(const Graph& g, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::map<std::string, RefTensor> out;
  for (const Node* n : g.nodes()) {
    if (n->kind() != OpKind::Input && n->kind() != OpKind::Param) continue;
    RefTensor t(n->type());
    if (n->type().dtype == DType::I64) {
      // The classes are the last axis of the logits, the graph's second output.
      std::uniform_int_distribution<int64_t> classes(0, g.outputs().at(1)->dims().back() - 1);
      for (double& v : t.data) v = static_cast<double>(classes(rng));
    } else {
      double bound = 1;
      if (n->kind() == OpKind::Param)
        bound = n->dims().size() == 2 ? std::sqrt(3.0 / static_cast<double>(n->dims()[0])) : 0.5;
      std::uniform_real_distribution<double> dist(-bound, bound);
      for (double& v : t.data) v = static_cast<double>(static_cast<float>(dist(rng)));
    }
    out.emplace(n->name(), std::move(t));
  }
  return out;
}

/// Parses \p text (or builds \p built's graph) and runs the training pipeline on it.
std::unique_ptr<Graph> compile(const std::string& text, int64_t batch, int64_t seqLen, const Variant& v, Model* model,
                               const GenModel* built = nullptr) {
  ModelOptions mo;
  mo.batch = batch, mo.seqLen = seqLen;
  mo.returnHidden = v.returnHidden;
  *model = parseModel(text, "generated.mnemo", mo);
  if (built) model->graph = buildModelGraph(*built);
  PassManagerOptions pmo;
  pmo.disabled = v.disabled;
  PassManager pm(pmo);
  buildPipeline(std::string(v.infer ? "infer" : "train") + (v.fuse ? "" : "-unfused"), pm);
  pm.run(*model->graph);
  return std::move(model->graph);
}

bool degenerate(const std::vector<double>& v) {
  for (double x : v)
    if (!std::isfinite(x) || std::fabs(x) > kDegenerate) return true;
  return false;
}

/// The step-1 gradient of param \p p, read from Adam's first moment: m = (1 − β1)·g.
std::vector<double> firstStepGradient(const ReferenceEvaluator& ev, const std::string& p) {
  std::vector<double> g = ev.value(p + ".m").data;
  for (double& x : g) x /= (1 - kBeta1);
  return g;
}

/// Binds \p bindings and the optimizer's states for training step 1 and runs the step.
void runFirstStep(ReferenceEvaluator& ev, const Graph& g, const std::map<std::string, RefTensor>& bindings,
                  const AdamConfig& adam) {
  for (const auto& [name, t] : bindings) ev.bind(name, t);
  for (const Node* n : g.nodes()) {
    if (n->kind() != OpKind::State) continue;
    if (n->name() == kAdamHyperName) ev.bind(n->name(), adamHyperTensor(adam, 1));
    else if (n->name() == kRandomSeedName) ev.bind(n->name(), randomSeedTensor(1));
    else ev.bind(n->name(), RefTensor(n->type()));  // Adam moments start at zero
  }
  ev.run(Stage::Opt);
}

/// A comparison whose operands differ, but by no more than float rounding, somewhere: a float32
/// run may decide it either way, as `x < 1` where x is a sigmoid that rounds to 1, or
/// `elu(s) == 0` where exp(s) − 1 cancels to 0 in float. (Exact ties are left to the jittered
/// rerun of floatRoundingShift: a tie of zeros, or of a value with itself, holds in float too; a
/// computed value that ties with another, `s < mean(s)` over equal s, moves under the jitter.)
/// \returns the first such comparison, or an empty string.
std::string nearTie(const Graph& g, const ReferenceEvaluator& ev) {
  constexpr double kRel = 1e-5, kAbs = 1e-6;
  for (const Node* n : g.nodes()) {
    switch (n->kind()) {
      case OpKind::Less: case OpKind::LessEqual: case OpKind::Greater: case OpKind::GreaterEqual:
      case OpKind::Equal: break;
      default: continue;
    }
    if (!ev.has(n)) continue;
    const RefTensor& a = ev.value(n->operand(0));
    const RefTensor& b = ev.value(n->operand(1));
    const std::vector<size_t> ia = broadcastIndexMap(n->dims(), n->operand(0)->dims());
    const std::vector<size_t> ib = broadcastIndexMap(n->dims(), n->operand(1)->dims());
    for (size_t i = 0; i < ia.size(); ++i) {
      const double x = a.data[ia[i]], y = b.data[ib[i]];
      if (x != y && std::fabs(x - y) <= kRel * std::max(std::fabs(x), std::fabs(y)) + kAbs) {
        std::ostringstream os;
        os.precision(9);
        os << "comparison %" << n->name() << "[" << i << "] has operands " << x << " and " << y
           << ", within float rounding of a tie";
        return os.str();
      }
    }
  }
  return "";
}

/// The reference's step 1 again, every value rounded to float32 as it is made and then jittered
/// by 8 to 32 ulps. If that alone moves an output or a gradient by half of what the variants
/// are allowed, rounding decides the model's result (an exact tie of computed values, a
/// recurrence that amplifies rounding step after step), and no float32 run can be judged by it.
/// \returns what moved, or an empty string.
std::string floatRoundingShift(const Graph& g, const std::map<std::string, RefTensor>& bindings,
                               const AdamConfig& adam, const Expected& want) {
  constexpr double kShare = 0.5;
  // 8 to 32 ulps (up to 2e-6 relative) per value: more than oneDNN's exp, sigmoid and tanh err
  // by (at most 4.3 ulps), though their errors may share a sign where this jitter's do not; it sets aside
  // a model only where such tiny errors grow into half the tolerance (1e-3 relative).
  constexpr int kJitterUlps = 32;
  ReferenceEvaluator rounded(g);
  rounded.setRoundToFloat(true, kJitterUlps);
  runFirstStep(rounded, g, bindings, adam);
  auto asFloats = [](const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); };
  for (size_t i = 0; i < want.outputs.size(); ++i) {
    std::string e = compareValues(want.outputs[i], asFloats(rounded.value(g.outputs()[i]).data),
                                  i == 0 ? want.lossAbsTol : kAbsTol, kShare);
    if (!e.empty()) return e;
  }
  for (size_t i = 0; i < want.params.size(); ++i) {
    std::string e =
        compareValues(want.grads[i], asFloats(firstStepGradient(rounded, want.params[i])), want.gradAbsTol, kShare);
    if (!e.empty()) return e;
  }
  return "";
}

/// A model no float32 run can be judged by (CheckResult::Degenerate), with the reason.
CheckResult setAside(const std::string& message) {
  CheckResult r;
  r.status = CheckResult::Degenerate, r.message = message;
  return r;
}

CheckResult fail(const std::string& kind, const std::string& variant, const std::string& message) {
  CheckResult r;
  r.status = CheckResult::Fail, r.kind = kind, r.variant = variant, r.message = message;
  return r;
}

/// Runs one variant; \returns an empty string or the first mismatch.
std::string runVariant(const Graph& g, const std::map<std::string, RefTensor>& bindings, const Expected& want,
                       const Variant& variant) {
  Session s(g);
  for (const auto& [name, t] : bindings) {
    if (!g.find(name)) continue;  // an input the optimizations removed
    if (t.type.dtype == DType::I64) {
      std::vector<int64_t> v(t.data.begin(), t.data.end());
      s.setI64(name, v);
    } else {
      std::vector<float> v(t.data.begin(), t.data.end());
      s.setF32(name, v);
    }
  }
  // The random draws' seed state: the reference binds [kSeed, 1] for step 1 and [kSeed, 2] for
  // step 2, the counters a training step advances to (forward alone does not advance it).
  s.setRandomSeed(kRandomSeed, variant.infer ? 1 : 0);
  if (variant.infer) {
    s.forward();
  } else {
    s.setAdam(kLr, kBeta1);
    s.trainStep();
  }
  for (size_t i = 0; i < want.outputs.size(); ++i) {
    // A variant returning %hs puts every state stacked (%hs, then %hs.<name>) after the loss
    // and logits, before the model's further outputs.
    if (g.outputs().size() < want.outputs.size()) return "the compiled graph lacks outputs of the reference";
    const size_t hidden = g.outputs().size() - want.outputs.size();
    if (hidden > 0 && !variant.returnHidden) return "the compiled graph has " + std::to_string(hidden) + " outputs too many";
    const Node* out = g.outputs().at(i >= 2 ? i + hidden : i);
    const float* p = reinterpret_cast<const float*>(s.executable().address(out));
    std::string e =
        compareValues(want.outputs[i], std::vector<float>(p, p + out->type().numel()), i == 0 ? want.lossAbsTol : kAbsTol);
    if (!e.empty()) return "step 1 " + e;
  }
  if (variant.infer) return "";
  for (size_t i = 0; i < want.params.size(); ++i) {
    std::vector<float> m = s.getF32(want.params[i] + ".m");
    for (float& v : m) v = static_cast<float>(v / (1 - kBeta1));
    std::string e = compareValues(want.grads[i], m, want.gradAbsTol);
    if (e.empty()) e = compareParams(want.after1[i], want.grads[i].data, s.getF32(want.params[i]), 1, want.gradAbsTol);
    if (!e.empty()) return e;
  }
  s.trainStep();
  for (size_t i = 0; i < want.params.size(); ++i) {
    std::string e = compareParams(want.after2[i], want.grads[i].data, s.getF32(want.params[i]), 2, want.gradAbsTol);
    if (!e.empty()) return e;
  }
  return "";
}

}  // namespace

std::vector<Variant> defaultVariants() {
  return {{"unfused", false, {}},
          {"fused", true, {}},
          {"fused without fuse-matmul-epilogue", true, {"fuse-matmul-epilogue"}},
          {"fused without fuse-elementwise", true, {"fuse-elementwise"}},
          {"fused without time-batch", true, {"time-batch"}},
          {"unfused, built with the Builder", false, {}, true},
          {"fused, built with the Builder", true, {}, true},
          {"infer fused", true, {}, false, true},
          {"fused, returning %hs", true, {}, false, false, true}};
}

std::string CheckResult::signature() const {
  static const std::regex noise(R"(%[A-Za-z0-9_.]+|[0-9][0-9.e+-]*)");
  std::string msg = message;
  if (kind == "mismatch") msg = msg.substr(0, msg.find('['));  // which quantity, not which element
  return kind + " | " + variant + " | " + std::regex_replace(msg, noise, "#");
}

CheckResult checkModel(const std::string& text, int64_t batch, int64_t seqLen, const std::vector<Variant>& variants,
                       const std::function<void(const std::string&)>& onVariant, const GenModel* genModel) {
  Model refModel;
  std::unique_ptr<Graph> ref;
  try {
    ref = compile(text, batch, seqLen, Variant{"reference", false, {}}, &refModel);
  } catch (const Error& e) {
    CheckResult r;
    r.status = CheckResult::Invalid, r.message = e.what();
    return r;
  }
  std::map<std::string, RefTensor> bindings = makeBindings(*ref, 12345);
  Expected want;
  want.gradAbsTol = kAbsTol * std::sqrt(static_cast<double>(batch * seqLen));
  ReferenceEvaluator ev(*ref);
  AdamConfig adam;
  adam.lr = kLr, adam.beta1 = kBeta1;
  runFirstStep(ev, *ref, bindings, adam);
  if (std::string tie = nearTie(*ref, ev); !tie.empty()) {
    return setAside("step 1: " + tie);
  }
  for (const Node* n : ref->nodes()) {  // intermediates too: an overflow there is NaN·0 in float32
    if (!ev.has(n) || n->type().dtype != DType::F32 || !degenerate(ev.value(n).data)) continue;
    return setAside("reference value %" + n->name() + " is not finite or beyond 1e6");
  }
  for (const Node* out : ref->outputs()) {
    Values v{"output %" + out->name(), asVector(ev.value(out))};
    if (degenerate(v.data)) {
      return setAside("reference " + v.label + " is not finite or beyond 1e6");
    }
    want.outputs.push_back(std::move(v));
    // The loss carries each output element's absolute error times its weight in the loss
    // (first-order propagation through the reference's own gradient %grad.<output>): a loss
    // term sum(o) adds up T·B·O elements whose errors from oneDNN's approximated exp and log
    // share a sign, so they add up linearly, not like a random walk.
    if (const Node* g = out == ref->outputs()[0] ? nullptr : ref->find("grad." + out->name()))
      for (double x : ev.value(g).data) want.lossAbsTol += kAbsTol * std::fabs(x);
  }
  for (const std::string& p : refModel.params) {
    want.params.push_back(p);
    std::vector<double> g = firstStepGradient(ev, p);
    if (degenerate(g)) {
      return setAside("reference gradient of %" + p + " is not finite or beyond 1e6");
    }
    want.grads.push_back({"gradient of %" + p, g});
    want.after1.push_back({"%" + p + " after step 1", ev.value(p).data});
  }
  // A value that is exactly 0 in float64 and ~1e-6 in float32 (log(1) through oneDNN) times the
  // gradient flowing back to it gives a weight gradient of 1e-6·|δ| where the exact one is 0:
  // the floor scales with the model's largest gradient when that exceeds one.
  double gradScale = 1;
  for (const Values& g : want.grads)
    for (double x : g.data) gradScale = std::max(gradScale, std::fabs(x));
  want.gradAbsTol *= gradScale;
  if (std::string moved = floatRoundingShift(*ref, bindings, adam, want); !moved.empty()) {
    return setAside("float32 rounding alone moves " + moved);
  }
  ev.bind(kAdamHyperName, adamHyperTensor(adam, 2));
  if (ref->find(kRandomSeedName)) ev.bind(kRandomSeedName, randomSeedTensor(2));
  ev.run(Stage::Opt);
  if (std::string tie = nearTie(*ref, ev); !tie.empty()) {
    return setAside("step 2: " + tie);
  }
  for (const std::string& p : refModel.params) want.after2.push_back({"%" + p + " after step 2", ev.value(p).data});

  for (const Variant& v : variants) {
    if ((v.builder && (!genModel || !builderCanBuild(*genModel))) || (v.returnHidden && refModel.hidden.empty())) continue;
    if (onVariant) onVariant(v.name);
    try {
      Model model;
      std::unique_ptr<Graph> g = compile(text, batch, seqLen, v, &model, v.builder ? genModel : nullptr);
      std::string e = runVariant(*g, bindings, want, v);
      if (!e.empty()) return fail("mismatch", v.name, e);
    } catch (const Error& e) {
      std::string what = e.what();
      return fail(what.find("internal error") != std::string::npos ? "internal error" : "error", v.name, what);
    } catch (const std::exception& e) {
      return fail("exception", v.name, e.what());
    }
  }
  return {};
}

CheckResult checkIsolated(const std::string& text, int64_t batch, int64_t seqLen, unsigned timeoutSeconds,
                          const std::vector<Variant>& variants, const GenModel* model) {
  int fds[2];
  MNEMO_CHECK(pipe(fds) == 0, "modelgen: pipe failed: " << std::strerror(errno));
  pid_t pid = fork();
  MNEMO_CHECK(pid >= 0, "modelgen: fork failed: " << std::strerror(errno));
  if (pid == 0) {
    close(fds[0]);
    // A hang is judged by CPU time (SIGXCPU), so a loaded machine does not make one; the wall
    // clock alarm, ten times longer, catches a child that waits forever.
    rlimit cpu{timeoutSeconds, timeoutSeconds + 1};
    setrlimit(RLIMIT_CPU, &cpu);
    alarm(timeoutSeconds * 10);
    auto send = [&](const std::string& msg) {
      size_t done = 0;
      while (done < msg.size()) {
        ssize_t w = write(fds[1], msg.data() + done, msg.size() - done);
        if (w <= 0) break;
        done += static_cast<size_t>(w);
      }
    };
    CheckResult r;
    try {  // progress lines "variant NAME", then "result" and the result's fields
      r = checkModel(text, batch, seqLen, variants, [&](const std::string& v) { send("variant " + v + "\n"); }, model);
    } catch (const std::exception& e) {
      r = fail("exception", "oracle", e.what());
    }
    send("result\n" + std::to_string(static_cast<int>(r.status)) + "\n" + r.kind + "\n" + r.variant + "\n" + r.message);
    _exit(0);
  }
  close(fds[1]);
  std::string msg;
  char buf[4096];
  ssize_t got;
  while ((got = read(fds[0], buf, sizeof buf)) > 0) msg.append(buf, static_cast<size_t>(got));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  std::istringstream in(msg);
  std::string line, variant = "?";
  bool haveResult = false;
  while (std::getline(in, line)) {
    if (line.rfind("variant ", 0) == 0) variant = line.substr(8);
    if (line == "result") { haveResult = true; break; }
  }
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGXCPU || sig == SIGALRM)
      return fail("hang", variant, "no result after " + std::to_string(timeoutSeconds) + " s of CPU time");
    return fail("crash", variant, std::string("killed by signal ") + std::to_string(sig) + " (" + strsignal(sig) + ")");
  }
  if (!haveResult)
    return fail("crash", variant, "the checking process exited with status " + std::to_string(WEXITSTATUS(status)) +
                                      " and no result");
  std::string status_;
  CheckResult r;
  std::getline(in, status_);
  r.status = static_cast<CheckResult::Status>(std::stoi(status_));
  std::getline(in, r.kind);
  std::getline(in, r.variant);
  std::getline(in, r.message, '\0');
  return r;
}

CheckResult checkGenerated(const GenModel& m) {
  return checkIsolated(emitDsl(m), m.batch, m.seqLen, 120, defaultVariants(), &m);
}

}  // namespace mnemo::modelgen
