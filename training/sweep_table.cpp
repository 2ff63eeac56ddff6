// Sweep results: reading a point's run directory, the sweep.csv table (CSV with quoted fields
// where needed) and the sweep.svg figure.
#include "training/sweep_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "support/error.h"
#include "io/svg.h"
#include "support/text.h"

namespace mnemo {

namespace {

std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c == '\n' || c == '\r' ? ' ' : c);
  return q + "\"";
}

/// The fields of one CSV line (quoted fields may hold commas and doubled quotes).
std::vector<std::string> csvFields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') out.back() += '"', ++i;
      else if (c == '"') quoted = false;
      else out.back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

std::string number(double v, const char* format = "%.6g") {
  char text[64];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

double parseNumber(const std::string& text, const std::string& what) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end) MNEMO_FAIL(what << ": '" << text << "' is not a number");
  return v;
}

}  // namespace

PointResult summarizeRun(const std::string& runDir, int64_t printEvery) {
  PointResult r;
  std::ifstream in(runDir + "/metrics.csv");
  std::string line;
  if (!in || !std::getline(in, line)) {
    r.reason = "no metrics.csv in " + runDir;
    return r;
  }
  long long step = 0, lastStep = -1;
  double loss, acc, runningLoss = NAN, runningAcc = NAN;
  while (std::getline(in, line)) {
    if (std::sscanf(line.c_str(), "%lld,%lf,%lf,%lf,%lf", &step, &loss, &acc, &runningLoss, &runningAcc) != 5) {
      r.reason = "malformed row in " + runDir + "/metrics.csv: " + line;
      return r;
    }
    lastStep = step;
    if (printEvery > 0 && step % printEvery == 0) r.reports[step] = {runningLoss, runningAcc};
  }
  if (lastStep < 0) {
    r.reason = "metrics.csv in " + runDir + " has no steps";
    return r;
  }
  if (!std::isfinite(runningLoss)) {
    r.reason = "the final loss is not finite";
    return r;
  }
  r.ok = true;
  r.finalLoss = runningLoss;
  r.finalAccuracy = runningAcc;
  return r;
}

std::string serializeResult(const PointResult& r) {
  std::string s = csvField(r.runDir) + "," + (r.ok ? "ok" : "failed") + "," + csvField(r.reason) + "," +
                  number(r.finalLoss, "%.17g") + "," + number(r.finalAccuracy, "%.17g") + "," +
                  number(r.seconds, "%.17g") + "," + std::to_string(r.values.size());
  for (const auto& [name, value] : r.values) s += "," + csvField(name) + "," + csvField(value);
  s += "," + std::to_string(r.reports.size());
  for (const auto& [step, report] : r.reports)
    s += "," + std::to_string(step) + "," + number(report.first, "%.17g") + "," + number(report.second, "%.17g");
  return s;
}

PointResult deserializeResult(const std::string& text) {
  std::vector<std::string> f = csvFields(text);
  const std::string what = "sweep result message";
  size_t i = 0;
  auto next = [&]() -> const std::string& {
    if (i >= f.size()) MNEMO_FAIL(what << " is truncated");
    return f[i++];
  };
  PointResult r;
  r.runDir = next();
  r.ok = next() == "ok";
  r.reason = next();
  r.finalLoss = parseNumber(next(), what);
  r.finalAccuracy = parseNumber(next(), what);
  r.seconds = parseNumber(next(), what);
  for (size_t n = static_cast<size_t>(parseNumber(next(), what)); n-- > 0;) {
    std::string name = next();
    r.values.emplace_back(name, next());
  }
  for (size_t n = static_cast<size_t>(parseNumber(next(), what)); n-- > 0;) {
    int64_t step = static_cast<int64_t>(parseNumber(next(), what));
    double loss = parseNumber(next(), what);
    r.reports[step] = {loss, parseNumber(next(), what)};
  }
  return r;
}

bool SweepTable::finished(const std::string& runDir) const {
  auto it = rows_.find(runDir);
  return it != rows_.end() && it->second.ok;
}

size_t SweepTable::okCount() const {
  return static_cast<size_t>(std::count_if(rows_.begin(), rows_.end(), [](const auto& kv) { return kv.second.ok; }));
}

void SweepTable::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return;
  std::string line;
  if (!std::getline(in, line)) return;
  std::vector<std::string> header = csvFields(line);
  // The parameter columns come first, then status.
  auto status = std::find(header.begin(), header.end(), "status");
  if (std::vector<std::string>(header.begin(), status) != axes_)
    MNEMO_FAIL(path << " holds a sweep over other parameters (its columns: " << printable(line)  // its bytes may be anything
                    << "); choose another --out or sweep the same parameters");
  auto column = [&](const std::string& name) {
    auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) MNEMO_FAIL(path << ": no column '" << name << "'");
    return static_cast<size_t>(it - header.begin());
  };
  const size_t cStatus = column("status"), cLoss = column("final_loss"), cAcc = column("final_accuracy"),
               cSeconds = column("wall_seconds"), cDir = column("run_dir"), cReason = column("reason");
  for (int lineNo = 2; std::getline(in, line); ++lineNo) {
    std::vector<std::string> f = csvFields(line);
    const std::string where = path + ":" + std::to_string(lineNo);
    if (f.size() != header.size()) MNEMO_FAIL(where << ": " << f.size() << " fields, the header has " << header.size());
    PointResult r;
    for (size_t k = 0; k < axes_.size(); ++k) r.values.emplace_back(axes_[k], f[k]);
    r.runDir = f[cDir];
    r.ok = f[cStatus] == "ok";
    r.reason = f[cReason];
    r.seconds = parseNumber(f[cSeconds], where);
    if (r.ok) {
      r.finalLoss = parseNumber(f[cLoss], where);
      r.finalAccuracy = parseNumber(f[cAcc], where);
      for (size_t k = cReason + 1; k + 1 < header.size(); k += 2) {
        if (f[k].empty()) continue;
        int64_t step = std::strtoll(header[k].substr(header[k].find('@') + 1).c_str(), nullptr, 10);
        r.reports[step] = {parseNumber(f[k], where), parseNumber(f[k + 1], where)};
      }
    }
    rows_[r.runDir] = r;
  }
}

void SweepTable::write(const std::string& path, const std::vector<std::string>& order) const {
  std::set<int64_t> reportSteps;
  for (const auto& [dir, r] : rows_)
    for (const auto& [step, report] : r.reports) reportSteps.insert(step);
  std::ostringstream csv;
  for (const std::string& a : axes_) csv << csvField(a) << ",";
  csv << "status,final_loss,final_accuracy,wall_seconds,run_dir,reason";
  for (int64_t s : reportSteps) csv << ",loss@" << s << ",accuracy@" << s;
  csv << "\n";
  auto row = [&](const PointResult& r) {
    for (const auto& [name, value] : r.values) csv << csvField(value) << ",";
    csv << (r.ok ? "ok," + number(r.finalLoss) + "," + number(r.finalAccuracy) : std::string("failed,,")) << ","
        << number(r.seconds, "%.2f") << "," << csvField(r.runDir) << "," << csvField(r.reason);
    for (int64_t s : reportSteps) {
      auto it = r.reports.find(s);
      csv << "," << (it == r.reports.end() ? "" : number(it->second.first)) << ","
          << (it == r.reports.end() ? "" : number(it->second.second));
    }
    csv << "\n";
  };
  std::set<std::string> written;
  for (const std::string& dir : order) {
    auto it = rows_.find(dir);
    if (it != rows_.end() && written.insert(dir).second) row(it->second);
  }
  for (const auto& [dir, r] : rows_)  // rows of points no longer in the grid stay
    if (written.insert(dir).second) row(r);
  writeFileAtomic(path, csv.str());
}

namespace {

/// True if every value in \p values reads as a number.
bool allNumeric(const std::vector<std::string>& values) {
  for (const std::string& v : values) {
    char* end = nullptr;
    std::strtod(v.c_str(), &end);
    if (v.empty() || *end) return false;
  }
  return !values.empty();
}

}  // namespace

void SweepTable::plot(const std::string& path) const {
  Figure fig;
  fig.title = "mnemo sweep: final accuracy, mean and min-max over seeds";
  std::vector<std::string> shown;
  for (const std::string& a : axes_)
    if (a != "seed") shown.push_back(a);
  if (shown.empty()) shown = axes_;  // a sweep over seeds only: accuracy against the seed
  for (const std::string& axis : shown) {
    // The ok points by the other swept parameters (one series each, seeds aggregated), then by
    // this axis's value.
    std::vector<std::string> xs;
    std::map<std::string, std::map<std::string, std::vector<double>>> bySeries;
    for (const auto& [dir, r] : rows_) {
      if (!r.ok) continue;
      std::string x, label;
      for (const auto& [name, value] : r.values) {
        if (name == axis) x = value;
        else if (name != "seed") label += (label.empty() ? "" : " ") + name + "=" + value;
      }
      if (std::find(xs.begin(), xs.end(), x) == xs.end()) xs.push_back(x);
      bySeries[label][x].push_back(r.finalAccuracy);
    }
    const bool numeric = allNumeric(xs);
    if (numeric) std::sort(xs.begin(), xs.end(), [](const std::string& a, const std::string& b) { return std::stod(a) < std::stod(b); });
    auto position = [&](const std::string& x) {
      return numeric ? std::stod(x) : static_cast<double>(std::find(xs.begin(), xs.end(), x) - xs.begin());
    };
    Panel p;
    p.title = axis;
    if (!numeric) {
      p.title += " (in order:";
      for (const std::string& x : xs) p.title += " " + x;
      p.title += ")";
    }
    p.xlabel = axis;
    p.ylabel = "final accuracy";
    p.ymin = 0, p.ymax = 1;
    size_t colour = 0;
    for (const auto& [label, points] : bySeries) {
      Series mean{{}, {}, label.empty() ? "mean" : label, paletteColor(colour), SeriesStyle::LineMarkers};
      Series range{{}, {}, "", paletteColor(colour++)};
      range.lineWidth = 4, range.opacity = 0.35;
      for (const std::string& x : xs) {
        auto it = points.find(x);
        if (it == points.end()) continue;
        const std::vector<double>& a = it->second;
        double sum = 0;
        for (double v : a) sum += v;
        mean.x.push_back(position(x)), mean.y.push_back(sum / static_cast<double>(a.size()));
        range.x.insert(range.x.end(), {position(x), position(x), NAN});
        range.y.insert(range.y.end(), {*std::min_element(a.begin(), a.end()), *std::max_element(a.begin(), a.end()), NAN});
      }
      p.series.push_back(range);
      p.series.push_back(mean);
    }
    fig.panels.push_back(p);
  }
  fig.columns = static_cast<int>(std::min<size_t>(fig.panels.size(), 3));
  fig.width = 420.0 * fig.columns;
  fig.height = 340.0 * static_cast<double>((fig.panels.size() + 2) / 3);
  writeSvg(path, fig);
}

}  // namespace mnemo
