// Running the `mnemo` executable from a test (exit code, stdout and stderr, captured through
// temporary files) and scratch directories. Shared by the CLI and training tests.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace mnemo::testing {

struct CliResult {
  int code;
  std::string out, err;
};

/// The whole file at \p p ("" if it cannot be read).
inline std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// \p s quoted for the shell.
inline std::string shellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

/// Runs `mnemo ARGS...` (MNEMO_BINARY) and captures its exit code, stdout and stderr.
inline CliResult runMnemo(const std::vector<std::string>& args) {
  static std::atomic<int> serial{0};
  std::string base = (std::filesystem::temp_directory_path() /
                      ("mnemo_cli_" + std::to_string(::getpid()) + "_" + std::to_string(serial++)))
                         .string();
  std::string cmd = shellQuote(MNEMO_BINARY);
  for (const std::string& a : args) cmd += " " + shellQuote(a);
  cmd += " >" + shellQuote(base + ".out") + " 2>" + shellQuote(base + ".err");
  int status = std::system(cmd.c_str());
  CliResult r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, readFile(base + ".out"), readFile(base + ".err")};
  std::filesystem::remove(base + ".out");
  std::filesystem::remove(base + ".err");
  return r;
}

/// The number of newline characters in \p s.
inline size_t lineCount(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

/// A fresh, empty directory under the temporary directory, removed with everything in it.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& tag) {
    static std::atomic<int> counter{0};
    path = std::filesystem::temp_directory_path() /
           ("mnemo_test_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

}  // namespace mnemo::testing
