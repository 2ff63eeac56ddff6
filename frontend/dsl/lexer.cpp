// The model DSL's tokenizer.
#include "frontend/dsl/lexer.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "support/error.h"
#include "support/text.h"

namespace mnemo {

namespace {

bool isDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool isNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool isNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

/// True if a newline after \p t continues the statement rather than ending it.
bool continuesLine(const DslToken& t) {
  if (t.kind == DslTok::Newline) return true;  // blank lines collapse
  if (t.kind != DslTok::Punct) return false;
  return t.text == "=" || t.text == "," || t.text == "{" || t.text == "+" || t.text == "-" ||
         t.text == "*" || t.text == "/" || t.text == "@" || t.text == ":" || t.text == "<" || t.text == ">" ||
         t.text == "<=" || t.text == ">=" || t.text == "==";
}

}  // namespace

std::vector<DslToken> tokenizeDsl(const std::string& src, const std::string& file) {
  std::vector<DslToken> toks;
  int line = 1, col = 1;
  int depth = 0;  // open ( and [
  size_t i = 0;
  auto advance = [&](size_t n) {
    for (size_t k = 0; k < n && i < src.size(); ++k, ++i) {
      if (src[i] == '\n') ++line, col = 1;
      else ++col;
    }
  };
  auto fail = [&](SrcLoc at, const std::string& msg) { MNEMO_FAIL(file << ":" << at.line << ":" << at.col << ": " << msg); };
  auto endStatement = [&](SrcLoc at) {
    if (depth == 0 && !toks.empty() && !continuesLine(toks.back())) toks.push_back({DslTok::Newline, "", 0, at});
  };
  while (i < src.size()) {
    const char c = src[i];
    const SrcLoc at{line, col};
    const size_t start = i;
    if (c == '\n' || c == ';') {
      endStatement(at);
      advance(1);
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      advance(1);
    } else if (c == '#') {
      while (i < src.size() && src[i] != '\n') advance(1);
    } else if (isNameStart(c)) {
      while (i < src.size() && isNameChar(src[i])) advance(1);
      toks.push_back({DslTok::Ident, src.substr(start, i - start), 0, at});
    } else if (isDigit(c) || (c == '.' && i + 1 < src.size() && isDigit(src[i + 1]))) {
      while (i < src.size() && (isDigit(src[i]) || src[i] == '.')) advance(1);
      if (i < src.size() && (src[i] == 'e' || src[i] == 'E')) {
        advance(1);
        if (i < src.size() && (src[i] == '+' || src[i] == '-')) advance(1);
        if (i >= src.size() || !isDigit(src[i])) fail(at, "malformed number '" + src.substr(start, i - start) + "'");
        while (i < src.size() && isDigit(src[i])) advance(1);
      }
      const std::string text = src.substr(start, i - start);
      char* end = nullptr;
      double v = std::strtod(text.c_str(), &end);
      if (end != text.c_str() + text.size()) fail(at, "malformed number '" + text + "'");
      // strtod turns 1e400 into infinity, which a constant would carry on as a value.
      if (std::isinf(v)) fail(at, "number " + text + " is too large (more than about 1.8e308)");
      if (i < src.size() && isNameStart(src[i])) fail({line, col}, "unexpected '" + std::string(1, src[i]) + "' after number " + text);
      toks.push_back({DslTok::Number, text, v, at});
    } else if (c == '"') {
      advance(1);
      while (i < src.size() && src[i] != '"' && src[i] != '\n') advance(1);
      if (i >= src.size() || src[i] != '"') fail(at, "unterminated string (a quoted name ends on the same line)");
      advance(1);
      toks.push_back({DslTok::String, src.substr(start + 1, i - start - 2), 0, at});
    } else if ((c == '<' || c == '>' || c == '=') && i + 1 < src.size() && src[i + 1] == '=') {
      advance(2);
      toks.push_back({DslTok::Punct, src.substr(start, 2), 0, at});
    } else if (std::string("=,:()[]{}+-*/@<>").find(c) != std::string::npos) {
      if (c == '(' || c == '[') ++depth;
      if ((c == ')' || c == ']') && depth > 0) --depth;
      if (c == '}') endStatement(at);  // '}' also ends the block's last statement
      advance(1);
      toks.push_back({DslTok::Punct, std::string(1, c), 0, at});
    } else {
      // A multi-byte character is quoted whole ('é', not its first byte); printable escapes
      // control bytes and anything that is not well-formed UTF-8.
      size_t bytes = 1;
      if (static_cast<unsigned char>(c) >= 0xc0)
        while (bytes < 4 && i + bytes < src.size() && (static_cast<unsigned char>(src[i + bytes]) & 0xc0) == 0x80) ++bytes;
      fail(at, "unexpected character '" + printable(src.substr(i, bytes)) + "'");
    }
  }
  endStatement({line, col});
  toks.push_back({DslTok::End, "", 0, {line, col}});
  return toks;
}

}  // namespace mnemo
