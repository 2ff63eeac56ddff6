// Tokens of the model DSL (.mnemo files; the language is described in frontend/dsl/model.h and
// docs/DSL.md). Statements end at a newline or ';'. A newline is not a statement end inside
// ( ) or [ ], or after a token that cannot end an expression (a binary operator, ',', '=', '{'),
// so a long expression can continue on the next line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mnemo {

/// A 1-based source position.
struct SrcLoc {
  int line = 0, col = 0;
};

enum class DslTok : uint8_t {
  Ident,    // names and keywords
  Number,   // 2, 0.5, 1e-3 (always non-negative: '-' is an operator)
  String,   // "text" (no escapes, on one line): a file name
  Punct,    // one of = , : ( ) [ ] { } + - * / @ < > <= >= ==
  Newline,  // end of a statement (also ';')
  End,
};

struct DslToken {
  DslTok kind;
  std::string text;
  double number = 0;
  SrcLoc loc;
};

/// Splits \p src into tokens; '#' comments and blanks are skipped. Throws mnemo::Error
/// "FILE:line:col: message" on a character that starts no token or a malformed number.
std::vector<DslToken> tokenizeDsl(const std::string& src, const std::string& file);

}  // namespace mnemo
