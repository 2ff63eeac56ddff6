#include "training/run_config.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "support/error.h"
#include "support/text.h"
#include "training/lr_schedule.h"

namespace mnemo {

std::string RunConfig::toJson() const {
  std::ostringstream os;
  os.precision(17);
  os << "{\n  \"model_file\": " << jsonString(modelFile) << ",\n  \"model_source\": " << jsonString(modelSource)
     << ",\n  \"task\": " << jsonString(task) << ",\n  \"batch\": " << batch << ",\n  \"seq_len\": " << seqLen
     << ",\n  \"lr\": " << lr << ",\n  \"seed\": " << seed << ",\n  \"steps\": " << steps;
  if (optimizer != "adam") os << ",\n  \"optimizer\": " << jsonString(optimizer) << ",\n  \"momentum\": " << momentum;
  if (rng != "mnemo") os << ",\n  \"rng\": " << jsonString(rng);
  if (clipGradNorm > 0) os << ",\n  \"clip_grad_norm\": " << clipGradNorm;
  if (lrSchedule != "constant")
    os << ",\n  \"lr_schedule\": " << jsonString(lrSchedule) << ",\n  \"lr_step_every\": " << lrStepEvery
       << ",\n  \"lr_gamma\": " << lrGamma << ",\n  \"lr_min\": " << lrMin << ",\n  \"lr_period\": " << lrPeriod;
  for (const auto& [name, value] : sizes) os << ",\n  " << jsonString("size." + name) << ": " << value;
  for (const auto& [name, value] : consts) os << ",\n  " << jsonString("const." + name) << ": " << value;
  for (const auto& [name, spec] : feeds) os << ",\n  " << jsonString("feed." + name) << ": " << jsonString(spec);
  os << "\n}\n";
  return os.str();
}

namespace {

/// A reader for the flat JSON objects toJson writes: string and number values only.
class FlatJson {
 public:
  FlatJson(const std::string& text, const std::string& what) : s_(text), what_(what) {}

  std::map<std::string, std::string> parse() {
    std::map<std::string, std::string> out;
    expect('{');
    if (peek() == '}') return ++i_, out;
    while (true) {
      std::string key = readString();
      expect(':');
      out[key] = peek() == '"' ? readString() : readNumber();
      if (peek() == ',') { ++i_; continue; }
      expect('}');
      return out;
    }
  }

 private:
  [[noreturn]] void fail(const std::string& msg) { MNEMO_FAIL(what_ << ": config JSON at byte " << i_ << ": " << msg); }
  char peek() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
    if (i_ >= s_.size()) fail("unexpected end");
    return s_[i_];
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++i_;
  }
  std::string readString() {
    expect('"');
    std::string out;
    while (true) {
      if (i_ >= s_.size()) fail("unterminated string");
      char c = s_[i_++];
      if (c == '"') return out;
      if (c != '\\') { out += c; continue; }
      if (i_ >= s_.size()) fail("unterminated escape");
      char e = s_[i_++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (i_ + 4 > s_.size()) fail("short \\u escape");
          long code = std::strtol(s_.substr(i_, 4).c_str(), nullptr, 16);
          i_ += 4;
          if (code >= 0x80) fail("non-ASCII \\u escape");
          out += static_cast<char>(code);
          break;
        }
        default: out += e;
      }
    }
  }
  std::string readNumber() {
    size_t start = i_;
    while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || std::string("+-.eE").find(s_[i_]) != std::string::npos)) ++i_;
    if (start == i_) fail("expected a string or a number");
    return s_.substr(start, i_ - start);
  }
  const std::string& s_;
  std::string what_;
  size_t i_ = 0;
};

}  // namespace

void checkOptimizer(const RunConfig& run, const std::string& what) {
  const std::string prefix = what.empty() ? "" : what + ": ";
  if (run.optimizer != "adam" && run.optimizer != "sgd")
    MNEMO_FAIL(prefix << "unknown optimizer '" << run.optimizer << "' (known: adam, sgd)");
  if (!(run.momentum >= 0 && run.momentum < 1)) MNEMO_FAIL(prefix << "momentum must be in [0, 1), got " << run.momentum);
}

std::string settingName(const std::string& what, const std::string& flag) {
  if (what.empty()) return "--" + flag;
  std::string key = flag;
  for (char& c : key)
    if (c == '-') c = '_';
  return what + ": config \"" + key + "\"";
}

RunConfig RunConfig::fromJson(const std::string& text, const std::string& what) {
  std::map<std::string, std::string> m = FlatJson(text, what).parse();
  auto need = [&](const std::string& key) -> const std::string& {
    auto it = m.find(key);
    if (it == m.end()) MNEMO_FAIL(what << ": config JSON lacks \"" << key << "\"");
    return it->second;
  };
  // Every number is read whole: text, a fraction or an out-of-range value is an error naming the
  // key, never a silent 0 or a clamped value.
  auto integer = [&](const std::string& key) {
    const std::string& v = need(key);
    char* end = nullptr;
    errno = 0;
    long long x = std::strtoll(v.c_str(), &end, 10);
    if (end == v.c_str() || *end || errno == ERANGE) MNEMO_FAIL(what << ": config \"" << key << "\" is not an integer: " << v);
    return static_cast<int64_t>(x);
  };
  auto number = [&](const std::string& key) {
    const std::string& v = need(key);
    char* end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    if (end == v.c_str() || *end || !std::isfinite(x)) MNEMO_FAIL(what << ": config \"" << key << "\" is not a finite number: " << v);
    return x;
  };
  RunConfig c;
  c.modelFile = need("model_file");
  c.modelSource = need("model_source");
  c.task = need("task");
  c.batch = integer("batch");
  c.seqLen = integer("seq_len");
  c.lr = number("lr");
  if (!(c.lr > 0)) MNEMO_FAIL(settingName(what, "lr") << " must be a positive number, got " << c.lr);
  {  // the seed is unsigned 64-bit: strtoll would clamp seeds >= 2^63
    const std::string& v = need("seed");
    char* end = nullptr;
    errno = 0;
    c.seed = std::strtoull(v.c_str(), &end, 10);
    if (end == v.c_str() || *end || v[0] == '-' || errno == ERANGE)
      MNEMO_FAIL(what << ": config \"seed\" is not an unsigned 64-bit integer: " << v);
  }
  c.steps = integer("steps");
  if (m.count("optimizer")) {
    c.optimizer = m.at("optimizer");
    c.momentum = number("momentum");
    checkOptimizer(c, what);
  }
  if (m.count("rng")) {
    c.rng = m.at("rng");
    if (c.rng != "mnemo" && c.rng != "numpy")
      MNEMO_FAIL(what << ": config \"rng\" is '" << c.rng << "', expected mnemo or numpy");
  }
  if (m.count("clip_grad_norm")) {
    c.clipGradNorm = number("clip_grad_norm");
    if (c.clipGradNorm < 0)
      MNEMO_FAIL(settingName(what, "clip-grad-norm") << " must be a positive number (0: no clipping), got " << c.clipGradNorm);
  }
  if (m.count("lr_schedule")) {
    c.lrSchedule = m.at("lr_schedule");
    c.lrStepEvery = integer("lr_step_every");
    c.lrGamma = number("lr_gamma");
    c.lrMin = number("lr_min");
    c.lrPeriod = integer("lr_period");
    checkLrSchedule(c, what);
  }
  for (const auto& [key, value] : m) {
    if (key.rfind("size.", 0) == 0) c.sizes[key.substr(5)] = integer(key);
    if (key.rfind("feed.", 0) == 0) c.feeds[key.substr(5)] = value;
    if (key.rfind("const.", 0) == 0) c.consts[key.substr(6)] = number(key);
  }
  return c;
}

}  // namespace mnemo
