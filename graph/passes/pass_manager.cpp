#include "graph/passes/pass_manager.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/error.h"
#include "graph/printer.h"
#include "graph/passes/verifier.h"

namespace mnemo {

namespace {
bool wanted(const std::string& filter, const std::string& name, bool changed) {
  if (filter == "all") return true;
  if (filter == "changed") return changed;
  return name.find(filter) != std::string::npos;
}
}  // namespace

void PassManager::dump(const Graph& g, int index, const std::string& passName, const std::string& header,
                       const std::vector<std::string>& notes) const {
  char prefix[16];
  std::snprintf(prefix, sizeof prefix, "%02d", index);
  bool dot = opts_.dumpFormat == "dot";
  std::string path = opts_.dumpDir + "/" + g.name() + "." + prefix + "." + passName + (dot ? ".dot" : ".gir");
  std::ofstream out(path);
  if (!out) MNEMO_FAIL("cannot write dump file " << path);
  if (dot) {
    out << "// " << header << "\n" << printDot(g);
    return;
  }
  out << printGraph(g, header);
  for (const std::string& note : notes) out << "// " << note << "\n";
}

std::vector<PassRecord> PassManager::run(Graph& g) {
  if (opts_.dumpFormat != "ir" && opts_.dumpFormat != "dot")
    MNEMO_FAIL("dump format must be ir or dot, got '" << opts_.dumpFormat << "'");
  if (!opts_.dumpDir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(opts_.dumpDir, ec);
    if (ec || !std::filesystem::is_directory(opts_.dumpDir, ec))
      MNEMO_FAIL("--dump-dir " << opts_.dumpDir << ": cannot create the directory ("
                               << (ec ? ec.message() : std::string("a file of that name is in the way")) << ")");
  }
  verifyOrThrow(g, "before the first pass");
  if (!opts_.dumpDir.empty())
    dump(g, 0, "input", "mnemo dump | graph @" + g.name() + " | 00.input | nodes=" + std::to_string(g.size()), {});

  std::vector<PassRecord> records;
  for (size_t i = 0; i < passes_.size(); ++i) {
    Pass& pass = *passes_[i];
    int index = static_cast<int>(i) + 1;
    PassRecord rec{index, pass.name(), false, false, g.size(), g.size(), 0.0, {}};
    bool disabled = std::find(opts_.disabled.begin(), opts_.disabled.end(), pass.name()) != opts_.disabled.end();
    if (disabled || (opts_.stopAfter >= 0 && index > opts_.stopAfter)) {
      records.push_back(rec);
      continue;
    }
    const uint64_t versionBefore = g.version();
    PassContext ctx;
    ctx.explain = opts_.explain;
    auto start = std::chrono::steady_clock::now();
    try {
      rec.changed = pass.run(g, ctx);
    } catch (const Error& e) {
      if (opts_.source.empty()) throw;
      MNEMO_FAIL(opts_.source << ": " << e.what());
    } catch (const std::exception& e) {  // a pass that trips over its own graph is a bug in mnemo
      MNEMO_FAIL("internal error in pass '" << pass.name() << "': " << e.what()
                                            << " (a bug in mnemo: please report it with this model)");
    }
    rec.milliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    g.freeDead();  // the nodes the pass erased; it may have held pointers to them until now
    rec.ran = true;
    rec.nodesAfter = g.size();
    rec.notes = std::move(ctx.notes);
    if (opts_.checkChanged && !rec.changed && g.version() != versionBefore)
      MNEMO_FAIL("pass '" << pass.name() << "' reported no change but changed graph @" << g.name());
    if (rec.changed && opts_.verifyEach) verifyOrThrow(g, (opts_.source.empty() ? "" : opts_.source + ": ") + "after pass '" + pass.name() + "'");
    if (!opts_.dumpDir.empty() && wanted(opts_.dumpFilter, pass.name(), rec.changed)) {
      std::ostringstream header;
      header << "mnemo dump | graph @" << g.name() << " | " << (index < 10 ? "0" : "") << index << "." << pass.name()
             << " | " << (rec.changed ? "changed" : "unchanged") << " | nodes " << rec.nodesBefore << " -> "
             << rec.nodesAfter << " | verified";
      dump(g, index, pass.name(), header.str(), rec.notes);
    }
    records.push_back(std::move(rec));
  }
  return records;
}

std::string PassManager::report(const std::vector<PassRecord>& records) {
  std::ostringstream os;
  char line[160];
  std::snprintf(line, sizeof line, "%3s  %-24s %9s %8s %8s  %s\n", "#", "pass", "ms", "before", "after", "");
  os << line;
  for (const PassRecord& r : records) {
    if (!r.ran) {
      std::snprintf(line, sizeof line, "%3d  %-24s %9s %8s %8s  skipped\n", r.index, r.name.c_str(), "-", "-", "-");
    } else {
      std::snprintf(line, sizeof line, "%3d  %-24s %9.2f %8zu %8zu  %s\n", r.index, r.name.c_str(), r.milliseconds,
                    r.nodesBefore, r.nodesAfter, r.changed ? "changed" : "unchanged");
    }
    os << line;
  }
  return os.str();
}

}  // namespace mnemo
