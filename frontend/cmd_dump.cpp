// `mnemo dump FILE.gir`: parse, verify and print a graph as IR text or Graphviz DOT.
#include <boost/program_options.hpp>
#include <iostream>

#include "frontend/commands.h"
#include "graph/error.h"
#include "graph/parser.h"
#include "graph/printer.h"
#include "graph/verifier.h"

namespace po = boost::program_options;

namespace mnemo {

int runDump(const Args& args) {
  po::options_description opts("mnemo dump FILE.gir [options]\n\nParses, verifies and prints a graph.\n\nOptions");
  std::string format;
  opts.add_options()("help,h", "show this help")
      ("format", po::value<std::string>(&format)->default_value("ir"), "output format: ir (IR text) or dot (Graphviz)");
  po::options_description hidden;
  std::string file;
  hidden.add_options()("file", po::value<std::string>(&file), "graph file");
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  po::notify(vm);
  if (file.empty()) MNEMO_FAIL("no graph file given (usage: mnemo dump FILE.gir)");
  if (format != "ir" && format != "dot") MNEMO_FAIL("--format must be ir or dot, got '" << format << "'");
  auto g = parseGraphFile(file);
  verifyOrThrow(*g, file);
  std::cout << (format == "ir" ? printGraph(*g) : printDot(*g));
  return 0;
}

}  // namespace mnemo
