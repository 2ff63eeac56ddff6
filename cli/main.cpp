// mnemo: a static-graph compiler and CPU runtime for recurrent networks on cognitive tasks.
// This file only dispatches to the subcommands (cli/cmd_*.cpp) and turns every error into
// one line on stderr and a non-zero exit code.
#include <boost/program_options/errors.hpp>
#include <algorithm>
#include <cstring>
#include <iostream>

#include "cli/commands.h"
#include "support/error.h"
#include "support/text.h"
#include "mnemo/version.h"

namespace {

void printUsage(std::ostream& os) {
  os << "usage: mnemo <command> [options]   (mnemo <command> --help for its options; mnemo --version)\n\ncommands:\n";
  size_t width = 0;  // the summaries line up two spaces after the longest name
  for (const mnemo::Command& c : mnemo::commands()) width = std::max(width, std::strlen(c.name) + 2);
  for (const mnemo::Command& c : mnemo::commands())
    os << "  " << c.name << std::string(width - std::strlen(c.name), ' ') << c.summary << "\n";
}

/// \p line with its middle left out when it is longer than a terminal can show usefully (a
/// model's 200000-character name was quoted whole): the start names the problem, the end often
/// says what to do. Cuts fall between UTF-8 characters.
std::string shortened(const std::string& line) {
  const size_t keep = 1000;
  if (line.size() <= 3 * keep) return line;
  auto boundary = [&](size_t at) {
    while (at > 0 && (static_cast<unsigned char>(line[at]) & 0xC0) == 0x80) --at;
    return at;
  };
  const size_t headEnd = boundary(keep), tailStart = boundary(line.size() - keep);
  return line.substr(0, headEnd) + " [... " + std::to_string(tailStart - headEnd) + " bytes left out ...] " +
         line.substr(tailStart);
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
  if (name == "--version" || name == "version") {
    std::cout << "mnemo " << MNEMO_VERSION_STRING << "\n";
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
      std::cerr << "mnemo " << name << ": " << shortened(mnemo::printable(e.what())) << "\n";
      return 1;
    }
  }
  std::cerr << "mnemo: unknown command '" << name << "'\n";
  printUsage(std::cerr);
  return 2;
}
