// mnemo's error type and internal-invariant check.
//
// Library code reports bad input (a malformed file, a shape mismatch, a bad flag value) by
// throwing mnemo::Error with a one-line message; the command-line layer catches it, prints it and
// exits non-zero. MNEMO_CHECK guards internal invariants: a failure is a bug in mnemo, not in the
// user's input, and is reported the same way rather than aborting.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace mnemo {

/// A user-facing error: the message is one line that names the problem.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// Builds an error message with operator<< and throws it when it goes out of scope.
class ErrorBuilder {
 public:
  ErrorBuilder() = default;
  template <typename T>
  ErrorBuilder& operator<<(const T& v) {
    out_ << v;
    return *this;
  }
  [[noreturn]] void raise() const { throw Error(out_.str()); }

 private:
  std::ostringstream out_;
};

/// Throws mnemo::Error with the streamed message: `fail() << "bad " << x;` is written as
/// `MNEMO_FAIL("bad " << x)`.
#define MNEMO_FAIL(msg) (::mnemo::ErrorBuilder() << msg).raise()

/// Internal invariant: throws "internal error" with the location if `cond` is false.
#define MNEMO_CHECK(cond, msg)                                                           \
  do {                                                                                   \
    if (!(cond))                                                                         \
      MNEMO_FAIL("internal error at " << __FILE__ << ":" << __LINE__ << ": " << msg    \
                 << " (a bug in mnemo: please report it with this model)");               \
  } while (0)

}  // namespace mnemo
