// `mnemo dump FILE`: parse, verify and print a graph as IR text or Graphviz DOT, optionally after
// running a pipeline of passes over it. FILE is an IR file (.gir), a model file (.mnemo, sized by
// --batch/--seq-len/--hidden/--size) or "notebook". With --pipeline the final graph is printed,
// or the graph after the passes --after selects (read back from the pass manager's numbered dump
// files, so what is printed is exactly what --dump-dir would keep).
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "cli/commands.h"
#include "training/graph_source.h"
#include "cli/cli_flags.h"
#include "support/error.h"
#include "graph/passes/pass_manager.h"
#include "graph/printer.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace mnemo {

namespace {

/// A directory removed when the dump is done (used when --after needs files but --dump-dir is
/// not given).
struct ScratchDir {
  fs::path path;
  ~ScratchDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) parts.push_back(item);
  return parts;
}

std::string joined(const std::vector<std::string>& items) {
  std::string s;
  for (const std::string& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

bool isNumber(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

/// The pipeline positions --after \p spec selects: 0 is the input graph, 1..N the passes.
std::vector<int> selectPasses(const std::string& spec, const std::string& pipeline, const std::vector<std::string>& names) {
  int n = static_cast<int>(names.size());
  std::vector<int> picked;
  if (spec == "all") {
    for (int i = 0; i <= n; ++i) picked.push_back(i);
  } else if (isNumber(spec)) {
    int index = spec.size() > 6 ? n + 1 : std::stoi(spec);
    if (index == 0) MNEMO_FAIL("--after " << spec << ": passes are numbered from 1; --after input prints the graph before them");
    if (index > n) MNEMO_FAIL("--after " << spec << ": pipeline " << pipeline << " has " << n << " passes");
    picked.push_back(index);
  } else if (spec == "input") {
    picked.push_back(0);
  } else {
    for (int i = 0; i < n; ++i)
      if (names[i] == spec) picked.push_back(i + 1);
    if (picked.empty())
      MNEMO_FAIL("--after: no pass '" << spec << "' in pipeline " << pipeline << " (passes: " << joined(names) << ")");
  }
  return picked;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) MNEMO_FAIL("cannot read dump file " << p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The pass manager's dump file for position \p index (see PassManager::dump).
fs::path dumpFile(const fs::path& dir, const Graph& g, int index, const std::string& pass, const std::string& format) {
  char prefix[16];
  std::snprintf(prefix, sizeof prefix, "%02d", index);
  return dir / (g.name() + "." + prefix + "." + pass + (format == "dot" ? ".dot" : ".gir"));
}

/// Prints a pass's notes as comments, each led by \p pass unless it already names it.
void printNotes(const std::vector<std::string>& notes, const std::string& pass) {
  for (const std::string& note : notes) {
    bool named = pass.empty() || note.rfind(pass + ":", 0) == 0;
    std::cout << "// " << (named ? "" : pass + ": ") << note << "\n";
  }
}

}  // namespace

int runDump(const Args& args) {
  po::options_description opts(
      "mnemo dump FILE [options]\n\n"
      "Parses and verifies a graph and prints it, optionally after running a pipeline of passes.\n"
      "FILE is an IR file (.gir), a model file (.mnemo; sized by the flags below, notebook sizes\n"
      "by default) or 'notebook' for the built-in notebook model.\n\nOptions");
  std::string format, pipeline, after, dumpDir, disable;
  int stopAfter = -1;
  ModelSizing sizing;
  opts.add_options()("help,h", "show this help")
      ("format", po::value<std::string>(&format)->default_value("ir"), "output format: ir (IR text) or dot (Graphviz)")
      ("pipeline", po::value<std::string>(&pipeline)->default_value("none"),
       "passes to run: none, train, train-unfused, train-onednn, infer, infer-unfused or infer-onednn (-onednn: fused, every matmul on oneDNN)")
      ("after", po::value<std::string>(&after),
       "print the graph after this pass: a name (every pass of that name), a 1-based index, 'input' or 'all' "
       "(default: the final graph)")
      ("dump-dir", po::value<std::string>(&dumpDir), "also write the graph after every pass to DIR/<graph>.<NN>.<pass>.gir|dot")
      ("explain-fusion", "record why the fusion passes refused to fuse, as // comments")
      ("disable-pass", po::value<std::string>(&disable), "comma-separated pass names to skip")
      ("stop-after", po::value<int>(&stopAfter), "run only passes 1..N")
      ("pass-stats", "print the per-pass table (time, nodes before/after, changed) as // comments");
  addSizingFlags(opts, sizing);
  std::string file;
  po::variables_map vm;
  if (!parseCommandLine(args, opts, vm, &file)) return 0;
  noteSizingFlags(vm, sizing);
  if (file.empty()) MNEMO_FAIL("no graph file given (usage: mnemo dump FILE.gir)");
  if (format != "ir" && format != "dot") MNEMO_FAIL("--format must be ir or dot, got '" << format << "'");
  std::vector<std::string> known = pipelineNames();
  if (pipeline != "none" && std::find(known.begin(), known.end(), pipeline) == known.end())
    MNEMO_FAIL("--pipeline must be none, " << joined(known) << ", got '" << pipeline << "'");
  if (vm.count("stop-after") && stopAfter < 0) MNEMO_FAIL("--stop-after must be 0 or more, got " << stopAfter);
  bool explain = vm.count("explain-fusion") > 0, stats = vm.count("pass-stats") > 0;
  if (pipeline == "none") {
    for (const char* flag : {"after", "dump-dir", "explain-fusion", "disable-pass", "stop-after", "pass-stats"})
      if (vm.count(flag)) MNEMO_FAIL("--" << flag << " needs a pipeline (--pipeline train, infer, ...)");
  }

  GraphSource src = loadGraphSource(file, sizing);
  Graph& g = *src.graph;
  if (pipeline == "none") {
    std::cout << (format == "ir" ? printGraph(g) : printDot(g));
    return 0;
  }

  PassManagerOptions pmo;
  pmo.dumpFormat = format;
  pmo.stopAfter = stopAfter;
  pmo.disabled = splitList(disable);
  pmo.explain = explain;
  pmo.source = file;
  ScratchDir scratch;
  if (!dumpDir.empty()) {
    pmo.dumpDir = dumpDir;
  } else if (vm.count("after")) {
    static int counter = 0;
    scratch.path = fs::temp_directory_path() / ("mnemo_dump_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    pmo.dumpDir = scratch.path.string();
  }
  PassManager pm(pmo);
  buildPipeline(pipeline, pm);
  std::vector<std::string> names;
  for (const auto& p : pm.passes()) names.push_back(p->name());
  for (const std::string& d : pmo.disabled)
    if (std::find(names.begin(), names.end(), d) == names.end())
      MNEMO_FAIL("--disable-pass: no pass '" << d << "' in pipeline " << pipeline << " (passes: " << joined(names) << ")");
  // Past the last pass it ran the whole pipeline without a word, as if the number were right.
  if (stopAfter > static_cast<int>(names.size()))
    MNEMO_FAIL("--stop-after " << stopAfter << ": pipeline " << pipeline << " has " << names.size() << " passes");
  std::vector<int> picked;
  if (vm.count("after")) picked = selectPasses(after, pipeline, names);

  size_t nodesBefore = g.size();
  std::vector<PassRecord> records = pm.run(g);

  if (picked.empty()) {
    int ran = 0;
    for (const PassRecord& r : records) ran += r.ran;
    std::ostringstream header;
    header << "mnemo dump | graph @" << g.name() << " | pipeline " << pipeline << " | " << ran << " of "
           << records.size() << " passes run | nodes " << nodesBefore << " -> " << g.size() << " | verified";
    if (format == "ir") std::cout << printGraph(g, header.str());
    else std::cout << "// " << header.str() << "\n" << printDot(g);
    for (const PassRecord& r : records) printNotes(r.notes, r.name);
  } else {
    bool everything = after == "all";
    for (int index : picked) {
      const std::string pass = index == 0 ? "input" : names[index - 1];
      if (index > 0 && !records[index - 1].ran) {
        if (everything) continue;
        MNEMO_FAIL("--after " << after << ": pass " << index << " (" << pass << ") did not run (disabled or past --stop-after)");
      }
      std::cout << slurp(dumpFile(pmo.dumpDir, g, index, pass, format));
      if (format == "dot" && index > 0) printNotes(records[index - 1].notes, "");
    }
  }
  if (stats) {
    std::stringstream table(PassManager::report(records));
    for (std::string line; std::getline(table, line);) std::cout << "// " << line << "\n";
  }
  return 0;
}

}  // namespace mnemo
