// Parsing the grid of a sweep (--grid flags and sweep files) and expanding it into points.
#include "training/sweep_grid.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "support/error.h"
#include "support/text.h"

namespace mnemo {

namespace {

constexpr size_t kMaxSweepPoints = 100000;

bool validName(const std::string& name) {
  if (name.empty() || !std::islower(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-';
  });
}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r"), b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

/// A whole-string signed integer, or false.
bool parseInteger(const std::string& text, long long& out) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  out = std::strtoll(text.c_str(), &end, 10);
  return *end == '\0' && errno != ERANGE;
}

/// Appends the values of one comma item ("7", "1e-3", "0:3", "0:10:5") to \p out.
void expandItem(const std::string& item, const std::string& where, std::vector<std::string>& out) {
  if (item.empty()) MNEMO_FAIL(where << ": empty value in the list");
  if (item.find_first_of(" \t\"'\\") != std::string::npos) MNEMO_FAIL(where << ": value '" << item << "' holds a space, quote or backslash");
  if (item.find(':') == std::string::npos) return out.push_back(item);
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t colon; (colon = item.find(':', start)) != std::string::npos; start = colon + 1)
    parts.push_back(item.substr(start, colon - start));
  parts.push_back(item.substr(start));
  long long a, b, step = 1;
  if (parts.size() > 3 || !parseInteger(parts[0], a) || !parseInteger(parts[1], b) ||
      (parts.size() == 3 && !parseInteger(parts[2], step)))
    MNEMO_FAIL(where << ": bad range '" << item << "': expected integers A:B or A:B:STEP");
  if (step <= 0) MNEMO_FAIL(where << ": bad range '" << item << "': STEP must be positive");
  if (b < a) MNEMO_FAIL(where << ": bad range '" << item << "': " << b << " is below " << a);
  if (static_cast<unsigned long long>(b - a) / static_cast<unsigned long long>(step) >= kMaxSweepPoints)
    MNEMO_FAIL(where << ": range '" << item << "' has more than " << kMaxSweepPoints << " values");
  for (long long v = a; v <= b; v += step) {
    out.push_back(std::to_string(v));
    if (b - v < step) break;  // no overflow past b
  }
}

/// A run directory name component: the value with anything but [A-Za-z0-9.+-] as '_'.
std::string fileSafe(const std::string& value) {
  std::string s = value;
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '+' && c != '-') c = '_';
  if (s == "." || s == "..") s = "_";
  return s;
}

}  // namespace

const std::vector<std::string>& sweepOwnedFlags() {
  static const std::vector<std::string> flags = {"out", "overwrite", "threads", "no-progress", "print-every", "help"};
  return flags;
}

GridAxis parseGridAxis(const std::string& text, const std::string& where) {
  size_t eq = text.find('=');
  if (eq == std::string::npos) MNEMO_FAIL(where << ": expected NAME=VALUES, e.g. seed=0:3 or lr=1e-3,3e-3");
  GridAxis axis;
  axis.name = trim(text.substr(0, eq));
  if (axis.name.rfind("--", 0) == 0) axis.name = axis.name.substr(2);
  if (!validName(axis.name))
    MNEMO_FAIL(where << ": bad parameter name '" << axis.name << "': expected a train flag such as seed, lr or hidden");
  const std::string spec = trim(text.substr(eq + 1));
  if (spec.empty()) MNEMO_FAIL(where << ": no values for '" << axis.name << "'");
  size_t start = 0;
  while (true) {
    size_t comma = spec.find(',', start);
    expandItem(trim(spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start)), where,
               axis.values);
    if (axis.values.size() > kMaxSweepPoints) MNEMO_FAIL(where << ": more than " << kMaxSweepPoints << " values");
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  // A number written two ways (0.001 and 1e-3) is one value: two points would train the same run.
  std::map<std::string, std::string> seen;  // by the value's number (or its text), the text first given
  for (const std::string& v : axis.values) {
    char* end = nullptr;
    const double number = std::strtod(v.c_str(), &end);
    std::ostringstream key;
    key.precision(17);
    if (!v.empty() && *end == '\0') key << number;
    else key << v;
    auto [it, fresh] = seen.emplace(key.str(), v);
    if (!fresh && it->second == v) MNEMO_FAIL(where << ": value '" << v << "' of '" << axis.name << "' appears twice");
    if (!fresh) MNEMO_FAIL(where << ": values '" << it->second << "' and '" << v << "' of '" << axis.name << "' are one number");
  }
  return axis;
}

std::vector<GridAxis> readSweepFile(const std::string& path) {
  const std::string text = readFileText(path, "sweep file " + path);  // a directory or /dev/zero is refused there
  // A NUL byte would cut every message that quotes the line short (C strings end there).
  if (const size_t nul = text.find('\0'); nul != std::string::npos) {
    const size_t lineStart = text.rfind('\n', nul) == std::string::npos ? 0 : text.rfind('\n', nul) + 1;
    MNEMO_FAIL(path << ":" << std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(nul), '\n') + 1 << ":"
                    << nul - lineStart + 1 << ": a NUL byte (a sweep file is text)");
  }
  std::istringstream in(text);
  std::vector<GridAxis> axes;
  std::string line;
  for (int lineNo = 1; std::getline(in, line); ++lineNo) {
    std::string text = line.substr(0, line.find('#'));
    size_t col = text.find_first_not_of(" \t\r");
    if (col == std::string::npos) continue;
    axes.push_back(parseGridAxis(text, path + ":" + std::to_string(lineNo) + ":" + std::to_string(col + 1)));
  }
  return axes;
}

std::vector<SweepPoint> gridPoints(const std::vector<GridAxis>& axes) {
  if (axes.empty()) MNEMO_FAIL("no grid: give --grid NAME=VALUES (e.g. --grid seed=0:3) or a sweep file");
  std::set<std::string> names;
  size_t count = 1;
  for (const GridAxis& a : axes) {
    if (!names.insert(a.name).second) MNEMO_FAIL("grid parameter '" << a.name << "' is given twice");
    const auto& owned = sweepOwnedFlags();
    if (std::find(owned.begin(), owned.end(), a.name) != owned.end())
      MNEMO_FAIL("grid parameter '" << a.name << "' cannot be swept: mnemo sweep sets --" << a.name << " itself");
    count *= a.values.size();
    if (count > kMaxSweepPoints) MNEMO_FAIL("the grid has more than " << kMaxSweepPoints << " points");
  }
  std::vector<SweepPoint> points(count);
  std::set<std::string> dirs;
  for (size_t i = 0; i < count; ++i) {
    size_t rest = i;
    std::vector<size_t> index(axes.size());
    for (size_t k = axes.size(); k-- > 0;) index[k] = rest % axes[k].values.size(), rest /= axes[k].values.size();
    for (size_t k = 0; k < axes.size(); ++k) {
      const std::string& v = axes[k].values[index[k]];
      points[i].values.emplace_back(axes[k].name, v);
      points[i].dirName += (k ? "_" : "") + axes[k].name + "=" + fileSafe(v);
    }
    if (!dirs.insert(points[i].dirName).second)
      MNEMO_FAIL("two grid points share the run directory name '" << points[i].dirName << "'");
  }
  return points;
}

}  // namespace mnemo
