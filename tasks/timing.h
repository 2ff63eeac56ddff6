// Period timing specifications, the forms neurogym accepts for a task's `timing` entries:
//   plain number            → that many ms                 TimingSpec(500)
//   list of numbers         → uniform choice among them    TimingSpec({200, 400})
//   ('constant', v)         → v                            TimingSpec::constant(v)
//   ('choice', list)        → uniform choice               TimingSpec::choice({...})
//   ('uniform', (a, b))     → uniform real in [a, b)       TimingSpec::uniform(a, b)
//   ('truncated_exponential', (mean, min, max))
//                           → exponential(mean) redrawn until min <= t < max
//                             (min >= max gives max)       TimingSpec::truncatedExponential(...)
//   TruncExp(mean, min, max) object (neurogym.utils.ngym_random.TruncExp)
//                           → the same truncated exponential, but drawn from the period's own
//                             companion generator (Rng::stream), seeded with the task's seed
//                                                          TimingSpec::truncExpObject(...)
//   ('until', t)            → lasts until t ms after the trial start   TimingSpec::until(t)
//   callable                → any function of the RNG     TimingSpec::function(f, text)
// A sampled duration is then floored to a multiple of dt (floorToDt), as neurogym does.
#pragma once

#include <functional>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "tasks/rng.h"

namespace mnemo {

/// How long a task period lasts, in ms: a constant or a distribution sampled per trial.
class TimingSpec {
 public:
  enum class Kind { Constant, Choice, Uniform, TruncatedExponential, Until, Function };

  /// 0 ms.
  TimingSpec() : TimingSpec(0.0) {}
  /// A plain number: constant duration in ms.
  TimingSpec(double ms);  // NOLINT: implicit on purpose, like neurogym's plain numbers
  /// A bare list: uniform choice among the values.
  TimingSpec(std::initializer_list<double> values);

  static TimingSpec constant(double ms);
  static TimingSpec choice(std::vector<double> values);
  static TimingSpec uniform(double lo, double hi);
  static TimingSpec truncatedExponential(double mean, double min = 0,
                                         double max = std::numeric_limits<double>::infinity());
  /// neurogym's TruncExp timing object: truncatedExponential drawn from its own generator.
  static TimingSpec truncExpObject(double mean, double min = 0,
                                   double max = std::numeric_limits<double>::infinity());
  static TimingSpec until(double endMs);
  /// A user function; `description` is what str() prints.
  static TimingSpec function(std::function<double(Rng&)> sample, std::string description);

  /// Parses the command-line form: "500", "200,400,800" (choice), "constant:500",
  /// "choice:200,400", "uniform:100,300", "truncexp:MEAN[,MIN[,MAX]]" (or
  /// "truncated_exponential:..."), "until:3000". Throws mnemo::Error on anything else.
  static TimingSpec parse(const std::string& text);

  Kind kind() const { return kind_; }
  /// Whether the spec draws from its period's companion generator (truncExpObject).
  bool ownStream() const { return ownStream_; }
  /// The numbers that define the spec (the constant, the choices, (a, b), (mean, min, max), t).
  const std::vector<double>& values() const { return values_; }

  /// Draws one duration in ms (not yet floored). `elapsedMs` is where the period starts, used by
  /// 'until'. Throws mnemo::Error if an 'until' time has already passed.
  double sample(Rng& rng, double elapsedMs) const;

  /// A readable form, e.g. "choice(200, 400)" or "500".
  std::string str() const;

 private:
  Kind kind_ = Kind::Constant;
  std::vector<double> values_;
  std::function<double(Rng&)> fn_;
  std::string description_;
  bool ownStream_ = false;
};

/// `ms` floored to a multiple of `dt` with Python's float floor division, (ms // dt) * dt.
double floorToDt(double ms, double dt);

}  // namespace mnemo
