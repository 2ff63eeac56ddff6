// mnemo: a static-graph compiler and CPU runtime for recurrent networks on cognitive tasks.
// This file only dispatches to the subcommands (cli/cmd_*.cpp) and turns every error into
// one line on stderr and a non-zero exit code.
#include <boost/program_options/errors.hpp>
#include <cstring>
#include <iostream>

#include "cli/commands.h"
#include "support/error.h"
#include "support/text.h"

namespace {

void printUsage(std::ostream& os) {
  os << "usage: mnemo <command> [options]   (mnemo <command> --help for its options)\n\ncommands:\n";
  for (const mnemo::Command& c : mnemo::commands())
    os << "  " << c.name << std::string(10 - std::strlen(c.name), ' ') << c.summary << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    printUsage(std::cerr);
    return 2;
  }
  std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    printUsage(std::cout);
    return 0;
  }
  for (const mnemo::Command& c : mnemo::commands()) {
    if (name != c.name) continue;
    try {
      return c.run(mnemo::Args(argv + 2, argv + argc));
    } catch (const boost::program_options::error& e) {
      std::cerr << "mnemo " << name << ": " << e.what() << " (see mnemo " << name << " --help)\n";
      return 2;
    } catch (const std::exception& e) {  // mnemo::Error and anything else: one clean line
      std::cerr << "mnemo " << name << ": " << mnemo::printable(e.what()) << "\n";
      return 1;
    }
  }
  std::cerr << "mnemo: unknown command '" << name << "'\n";
  printUsage(std::cerr);
  return 2;
}
