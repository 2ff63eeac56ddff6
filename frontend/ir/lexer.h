// Tokens of the .gir IR text, each with its line and column (1-based) for diagnostics.
#pragma once

#include <string>
#include <vector>

namespace mnemo {

enum class Tok : uint8_t {
  Value,      // %name
  GraphName,  // @name
  Ident,      // op names, keywords (graph, return, true, false, f32, i64), attribute keys
  Directive,  // .stage
  Int,
  Float,
  String,
  Punct,  // one of = ( ) { } [ ] , :
  End,
};

struct Token {
  Tok kind;
  std::string text;  // the name without sigil, the number's spelling, the unescaped string
  int line, col;
};

/// Splits \p src into tokens; `//` comments and whitespace are skipped. Throws mnemo::Error
/// "FILE:line:col: message" on a character that starts no token or an unterminated string.
std::vector<Token> tokenize(const std::string& src, const std::string& file);

}  // namespace mnemo
