// TimingSpec sampling, parsing and printing (see timing.h).
#include "tasks/timing.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>

#include "support/error.h"
#include "support/limits.h"

namespace mnemo {

namespace {

/// Smallest acceptance probability a truncated exponential may have: with it, the bounded
/// redraws of sample() fail with probability (1 - 1e-3)^100000, about e^-100.
constexpr double kMinAcceptance = 1e-3;

std::vector<double> parseNumbers(const std::string& list, const std::string& whole) {
  std::vector<double> out;
  size_t pos = 0;
  while (true) {
    size_t comma = list.find(',', pos);
    std::string item = list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    const char* begin = item.c_str();
    char* end = nullptr;
    double v = std::strtod(begin, &end);
    while (end && *end == ' ') ++end;
    if (item.empty() || end == begin || *end != '\0' || !std::isfinite(v))
      MNEMO_FAIL("bad timing '" << whole << "': '" << item << "' is not a number");
    out.push_back(v);
    if (comma == std::string::npos) return out;
    pos = comma + 1;
  }
}

void requireNonNegative(const std::vector<double>& values, const std::string& what) {
  for (double v : values)
    if (!(v >= 0)) MNEMO_FAIL("bad timing " << what << ": durations must be >= 0 ms");
}

std::string join(const std::vector<double>& v) {
  std::ostringstream os;
  for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  return os.str();
}

}  // namespace

TimingSpec::TimingSpec(double ms) : values_{ms} {}

TimingSpec::TimingSpec(std::initializer_list<double> values) { *this = choice(values); }

TimingSpec TimingSpec::constant(double ms) {
  requireNonNegative({ms}, "constant");
  TimingSpec t;
  t.values_ = {ms};
  return t;
}

TimingSpec TimingSpec::choice(std::vector<double> values) {
  if (values.empty()) MNEMO_FAIL("bad timing choice: the list of durations is empty");
  requireNonNegative(values, "choice");
  TimingSpec t;
  t.kind_ = Kind::Choice;
  t.values_ = std::move(values);
  return t;
}

TimingSpec TimingSpec::uniform(double lo, double hi) {
  requireNonNegative({lo, hi}, "uniform");
  if (hi < lo) MNEMO_FAIL("bad timing uniform(" << lo << ", " << hi << "): high < low");
  TimingSpec t;
  t.kind_ = Kind::Uniform;
  t.values_ = {lo, hi};
  return t;
}

TimingSpec TimingSpec::truncatedExponential(double mean, double min, double max) {
  if (!(mean > 0)) MNEMO_FAIL("bad timing truncated_exponential: mean must be > 0 ms");
  requireNonNegative({min}, "truncated_exponential");
  TimingSpec t;
  t.kind_ = Kind::TruncatedExponential;
  t.values_ = {mean, min, max};
  // Sampling redraws until a draw lands in [min, max): refuse a window so improbable that the
  // bounded redraws in sample() would almost surely run out.
  if (min < max) {
    const double accept = std::exp(-min / mean) - (std::isinf(max) ? 0.0 : std::exp(-max / mean));
    if (!(accept >= kMinAcceptance))
      MNEMO_FAIL("bad timing " << t.str() << ": an exponential draw of mean " << mean << " ms lands in [" << min
                               << ", " << max << ") with probability " << accept << ", below the limit of "
                               << kMinAcceptance);
  }
  return t;
}

TimingSpec TimingSpec::truncExpObject(double mean, double min, double max) {
  TimingSpec t = truncatedExponential(mean, min, max);
  t.ownStream_ = true;
  return t;
}

TimingSpec TimingSpec::until(double endMs) {
  requireNonNegative({endMs}, "until");
  TimingSpec t;
  t.kind_ = Kind::Until;
  t.values_ = {endMs};
  return t;
}

TimingSpec TimingSpec::function(std::function<double(Rng&)> sample, std::string description) {
  MNEMO_CHECK(sample, "TimingSpec::function needs a function");
  TimingSpec t;
  t.kind_ = Kind::Function;
  t.fn_ = std::move(sample);
  t.description_ = std::move(description);
  return t;
}

TimingSpec TimingSpec::parse(const std::string& text) {
  size_t colon = text.find(':');
  if (colon == std::string::npos) {
    std::vector<double> v = parseNumbers(text, text);
    return v.size() == 1 ? constant(v[0]) : choice(v);
  }
  std::string kind = text.substr(0, colon);
  std::vector<double> v = parseNumbers(text.substr(colon + 1), text);
  auto need = [&](size_t lo, size_t hi) {
    if (v.size() < lo || v.size() > hi)
      MNEMO_FAIL("bad timing '" << text << "': " << kind << " takes "
                                << (lo == hi ? std::to_string(lo)
                                             : std::to_string(lo) + " to " + std::to_string(hi))
                                << " number(s)");
  };
  if (kind == "constant") {
    need(1, 1);
    return constant(v[0]);
  }
  if (kind == "choice") return choice(v);
  if (kind == "uniform") {
    need(2, 2);
    return uniform(v[0], v[1]);
  }
  if (kind == "truncexp" || kind == "truncated_exponential") {
    need(1, 3);
    return truncatedExponential(v[0], v.size() > 1 ? v[1] : 0.0,
                                v.size() > 2 ? v[2] : std::numeric_limits<double>::infinity());
  }
  if (kind == "until") {
    need(1, 1);
    return until(v[0]);
  }
  MNEMO_FAIL("bad timing '" << text << "': unknown kind '" << kind
                            << "' (constant, choice, uniform, truncexp, until)");
}

double TimingSpec::sample(Rng& rng, double elapsedMs) const {
  switch (kind_) {
    case Kind::Constant:
      return values_[0];
    case Kind::Choice:
      return values_[rng.below(values_.size())];
    case Kind::Uniform:
      return rng.uniform(values_[0], values_[1]);
    case Kind::TruncatedExponential: {
      const double mean = values_[0], lo = values_[1], hi = values_[2];
      if (lo >= hi) return hi;
      for (int draw = 0; draw < limits::kMaxRejectionDraws; ++draw) {
        double x = rng.exponential(mean);
        if (lo <= x && x < hi) return x;
      }
      MNEMO_FAIL("timing " << str() << " cannot be satisfied: no draw landed in [" << lo << ", " << hi << ") in "
                           << limits::kMaxRejectionDraws << " tries (the limit)");
    }
    case Kind::Until: {
      double t = values_[0] - elapsedMs;
      if (t < 0)
        MNEMO_FAIL("timing until(" << values_[0] << ") ends before its period starts (at "
                                   << elapsedMs << " ms)");
      return t;
    }
    case Kind::Function:
      return fn_(rng);
  }
  return 0;
}

std::string TimingSpec::str() const {
  std::ostringstream os;
  switch (kind_) {
    case Kind::Constant: os << values_[0]; break;
    case Kind::Choice: os << "choice(" << join(values_) << ")"; break;
    case Kind::Uniform: os << "uniform(" << join(values_) << ")"; break;
    case Kind::TruncatedExponential:
      os << (ownStream_ ? "TruncExp(" : "truncated_exponential(") << join(values_) << ")";
      break;
    case Kind::Until: os << "until(" << values_[0] << ")"; break;
    case Kind::Function: os << description_; break;
  }
  return os.str();
}

double floorToDt(double ms, double dt) {
  // A whole dt and 0 <= ms < 2^52 (every duration a task draws, whole or not, e.g. uniform(200,
  // 500)): Python's result is k * dt for k the exact floor of ms / dt (its fmod is exact, k * dt is
  // a whole number below 2^53, so ms - mod and the division by dt are exact too). The rounded
  // quotient floors to k, or to k + 1 when it rounded up onto the next integer; k * dt is exact,
  // so comparing it with ms finds that case. No fmod.
  if (ms >= 0 && ms < 0x1p52 && dt >= 1 && dt < 0x1p52 && static_cast<double>(static_cast<int64_t>(dt)) == dt) {
    double k = static_cast<double>(static_cast<int64_t>(ms / dt));
    if (k * dt > ms) k -= 1;
    return k * dt;
  }
  // Python's float floor division: divide the exact remainder out, then floor, correcting a
  // quotient that rounding pushed just below an integer (so 1000 // 100 == 10 even for inexact
  // inputs, and 1.0 // 0.1 == 9 as in Python).
  double mod = std::fmod(ms, dt);
  double div = (ms - mod) / dt;
  if (mod != 0 && ((dt < 0) != (mod < 0))) div -= 1.0;
  double q = std::floor(div);
  if (div - q > 0.5) q += 1.0;
  return q * dt;
}

}  // namespace mnemo
