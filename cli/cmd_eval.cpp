// `mnemo eval FILE.gir`: run the double-precision reference evaluator on a graph, with seeded
// random values for its inputs, params and state, and print the returned values.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "cli/cli_flags.h"
#include "cli/commands.h"
#include "support/error.h"
#include "frontend/ir/parser.h"
#include "graph/passes/verifier.h"
#include "runtime/reference/evaluator.h"

namespace po = boost::program_options;

namespace mnemo {

namespace {
void printValue(const Node* n, const RefTensor& t, size_t limit) {
  std::cout << "%" << n->name() << " : " << t.type.str() << " =";
  for (size_t i = 0; i < t.size() && i < limit; ++i) std::printf(" %.6g", t[i]);
  if (t.size() > limit) std::cout << " ... (" << t.size() - limit << " more)";
  std::cout << "\n";
}
}  // namespace

int runEval(const Args& args) {
  po::options_description opts("mnemo eval FILE.gir [options]\n\nRuns the reference evaluator (double precision) with seeded random inputs,\nparams and state, and prints the graph's returned values.\n\nOptions");
  std::string seedText;
  std::string stage;
  int64_t limit = 8;
  opts.add_options()("help,h", "show this help")
      ("seed", po::value<std::string>(&seedText)->default_value("0"), "seed for the random inputs")
      ("stage", po::value<std::string>(&stage)->default_value("opt"), "last stage to run: fwd, bwd or opt")
      ("show", po::value<int64_t>(&limit)->default_value(8), "elements printed per value");
  addMemoryFlag(opts);
  std::string file;
  po::variables_map vm;
  if (!parseCommandLine(args, opts, vm, &file)) return 0;
  const uint64_t seed = parseSeed(seedText);
  if (limit < 0) MNEMO_FAIL("--show must be 0 or more, got " << limit);  // read as size_t, -1 would wrap to "all"
  if (file.empty()) MNEMO_FAIL("no graph file given (usage: mnemo eval FILE.gir)");
  if (file == "notebook" || (file.size() > 6 && file.compare(file.size() - 6, 6, ".mnemo") == 0))
    MNEMO_FAIL(file << ": mnemo eval runs IR files (.gir), not models; `mnemo dump " << file << " > FILE.gir` writes a model's graph as one");
  Stage last = stage == "fwd" ? Stage::Fwd : stage == "bwd" ? Stage::Bwd : Stage::Opt;
  if (stage != "fwd" && stage != "bwd" && stage != "opt") MNEMO_FAIL("--stage must be fwd, bwd or opt, got '" << stage << "'");
  auto g = parseGraphFile(file);
  verifyOrThrow(*g, file);
  checkGraphMemory(*g, sizeof(double), file + ": the reference evaluator");
  ReferenceEvaluator eval(*g);
  eval.bindRandom(seed);
  eval.run(last);
  if (g->outputs().empty()) std::cout << "(graph @" << g->name() << " returns nothing)\n";
  for (const Node* out : g->outputs()) printValue(out, eval.value(out), static_cast<size_t>(limit));
  return 0;
}

}  // namespace mnemo
