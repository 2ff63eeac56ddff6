// mnemo-modelgen: generates random models, checks each against the reference evaluator in every
// pipeline variant (oracle.h), shrinks each new failure to a small reproducer and writes it as a
// .mnemo fixture. See --help.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include "generator.h"
#include "oracle.h"
#include "shrink.h"

using namespace mnemo::modelgen;
namespace fs = std::filesystem;

namespace {

const char* kHelp = R"(usage: mnemo-modelgen [options]

Generates random well-typed models (.mnemo), trains each for two Adam steps in every pipeline
variant (unfused, fused, fused with each fusion pass disabled, unfused and fused from the graph
built with the C++ Builder instead of the DSL, fused returning %hs; the fused infer pipeline for
the forward outputs alone) and compares forward outputs,
loss, gradients and parameters with the double-precision reference evaluator. A failing model
is shrunk to a small reproducer and written to --out.

options:
  --seed S        first seed (model i uses seed S + i; default 1)
  --models N      check N models (default 100; 0 with --minutes: no limit)
  --minutes M     stop after M minutes (default: no time limit)
  --out DIR       write shrunk reproducers to DIR (default: modelgen-failures)
  --no-shrink     write failing models unshrunk
  --print         print each model's text instead of checking it
  --check FILE    check one model file (with its "# modelgen: B=.. T=.." header) and exit
  --help          this text
exit status: 0 when every model passed, 1 when a model failed, 2 for a usage error.
)";

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "mnemo-modelgen: " << problem << " (see --help)\n";
  std::exit(2);
}

int64_t number(const std::string& flag, const char* value) {
  char* end = nullptr;
  long long v = std::strtoll(value, &end, 10);
  if (!*value || *end || v < 0) usage(flag + " needs a non-negative integer, got '" + value + "'");
  return v;
}

std::string describe(const CheckResult& r) { return r.kind + " in variant '" + r.variant + "': " + r.message; }

int checkFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) usage("cannot read '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  int64_t b = 0, t = 0;
  if (!readRunHeader(ss.str(), &b, &t)) usage("'" + path + "' has no '# modelgen: B=.. T=..' header");
  CheckResult r = checkIsolated(ss.str(), b, t);
  if (r.status == CheckResult::Pass) return std::cout << path << ": pass\n", 0;
  std::cout << path << ": " << (r.status == CheckResult::Fail ? describe(r) : r.message) << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t seed = 1;
  int64_t models = -1;
  double minutes = 0;
  std::string out = "modelgen-failures";
  bool shrink = true, print = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") return std::cout << kHelp, 0;
    else if (a == "--seed") seed = static_cast<uint64_t>(number(a, value()));
    else if (a == "--models") models = number(a, value());
    else if (a == "--minutes") {
      const char* v = value();
      char* end = nullptr;
      minutes = std::strtod(v, &end);
      if (!*v || *end || !(minutes > 0)) usage("--minutes needs a positive number, got '" + std::string(v) + "'");
    } else if (a == "--out") out = value();
    else if (a == "--no-shrink") shrink = false;
    else if (a == "--print") print = true;
    else if (a == "--check") return checkFile(value());
    else usage("unknown option '" + a + "'");
  }
  if (models < 0) models = minutes > 0 ? 0 : 100;
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  std::map<std::string, std::string> bugs;  // signature → fixture written
  int64_t checked = 0, passed = 0, failed = 0, degenerate = 0, invalid = 0;
  double lastReport = 0;
  for (uint64_t s = seed; models == 0 || checked < models; ++s) {
    if (minutes > 0 && elapsed() > minutes * 60) break;
    GenModel m = generateModel(s);
    std::string text = emitDsl(m);
    ++checked;
    if (print) {
      std::cout << text << "\n";
      continue;
    }
    CheckResult r = checkGenerated(m);
    switch (r.status) {
      case CheckResult::Pass: ++passed; break;
      case CheckResult::Degenerate: ++degenerate; break;
      case CheckResult::Invalid:
        ++invalid;
        std::cout << "seed " << s << ": the generator made an invalid model: " << r.message << "\n" << text;
        break;
      case CheckResult::Fail: {
        ++failed;
        std::string sig = r.signature();
        if (bugs.count(sig)) {
          std::cout << "seed " << s << ": " << describe(r) << " (seen before: " << bugs[sig] << ")\n";
          break;
        }
        std::cout << "seed " << s << ": " << describe(r) << "\n" << std::flush;
        ShrinkResult sr{m, r, 0, 0};
        if (shrink)
          sr = shrinkModel(m, r, checkGenerated);
        fs::create_directories(out);
        fs::path file = fs::path(out) / ("seed" + std::to_string(s) + ".mnemo");
        std::ofstream f(file);
        f << "# failure: " << describe(sr.failure) << "\n" << emitDsl(sr.model);
        bugs[sig] = file.string();
        std::cout << "  shrunk in " << sr.attempts << " tries (" << sr.accepted << " accepted) to " << file.string()
                  << ":\n" << emitDsl(sr.model) << std::flush;
      }
    }
    if (elapsed() - lastReport > 10) {
      lastReport = elapsed();
      std::cout << "[" << static_cast<int>(elapsed()) << " s] " << checked << " models: " << passed << " pass, "
                << failed << " fail (" << bugs.size() << " distinct), " << degenerate << " degenerate, " << invalid
                << " invalid\n" << std::flush;
    }
  }
  if (!print)
    std::cout << "seeds " << seed << ".." << seed + static_cast<uint64_t>(checked) - 1 << ": " << checked
              << " models in " << static_cast<int>(elapsed()) << " s: " << passed << " pass, " << failed << " fail ("
              << bugs.size() << " distinct), " << degenerate << " degenerate, " << invalid << " invalid\n";
  return failed || invalid ? 1 : 0;
}
