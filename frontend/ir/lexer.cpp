#include "frontend/ir/lexer.h"

#include <cctype>
#include <cstdio>

#include "support/error.h"

namespace mnemo {

namespace {
bool nameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }
bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

/// True if \p t is [+-] digits [. digits*] [(e|E) [+-] digits]; \p isFloat tells whether it has
/// a fraction or an exponent.
bool wellFormedNumber(const std::string& t, bool* isFloat) {
  size_t i = (t[0] == '-' || t[0] == '+') ? 1 : 0;
  size_t digitsStart = i;
  while (i < t.size() && digit(t[i])) ++i;
  if (i == digitsStart) return false;
  *isFloat = false;
  if (i < t.size() && t[i] == '.') {
    *isFloat = true;
    ++i;
    while (i < t.size() && digit(t[i])) ++i;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    *isFloat = true;
    ++i;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
    size_t expStart = i;
    while (i < t.size() && digit(t[i])) ++i;
    if (i == expStart) return false;
  }
  return i == t.size();
}

/// How a character that starts no token is named in a message: 'c', or its byte value when it
/// would not print as itself on one line.
std::string describeChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f) return std::string("'") + c + "'";
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", u);
  return std::string("byte ") + buf;
}
}  // namespace

std::vector<Token> tokenize(const std::string& src, const std::string& file) {
  std::vector<Token> toks;
  int line = 1, col = 1;
  size_t i = 0;
  auto advance = [&](size_t n) {
    for (size_t k = 0; k < n && i < src.size(); ++k, ++i) {
      if (src[i] == '\n') ++line, col = 1;
      else ++col;
    }
  };
  auto fail = [&](int l, int c, const std::string& msg) { MNEMO_FAIL(file << ":" << l << ":" << c << ": " << msg); };
  while (i < src.size()) {
    char c = src[i];
    if (std::isspace(static_cast<unsigned char>(c))) { advance(1); continue; }
    if (c == '/' && i + 1 < src.size() && src[i + 1] == '/') {
      while (i < src.size() && src[i] != '\n') advance(1);
      continue;
    }
    int l = line, cl = col;
    size_t start = i;
    if (c == '%' || c == '@' || (c == '.' && i + 1 < src.size() && std::isalpha(static_cast<unsigned char>(src[i + 1])))) {
      advance(1);
      while (i < src.size() && nameChar(src[i]) && !(c == '.' && src[i] == '.')) advance(1);
      std::string name = src.substr(start + 1, i - start - 1);
      if (name.empty()) fail(l, cl, std::string("expected a name after '") + c + "'");
      toks.push_back({c == '%' ? Tok::Value : c == '@' ? Tok::GraphName : Tok::Directive, name, l, cl});
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      while (i < src.size() && (std::isalnum(static_cast<unsigned char>(src[i])) || src[i] == '_')) advance(1);
      toks.push_back({Tok::Ident, src.substr(start, i - start), l, cl});
    } else if ((c == '-' || c == '+') && src.compare(i + 1, 3, "inf") == 0 &&
               (i + 4 >= src.size() || !nameChar(src[i + 4]))) {
      advance(4);  // -inf / +inf: the printer's spelling of an infinite float attribute
      toks.push_back({Tok::Float, src.substr(start, 4), l, cl});
    } else if (std::isdigit(static_cast<unsigned char>(c)) || ((c == '-' || c == '+') && i + 1 < src.size() && (std::isdigit(static_cast<unsigned char>(src[i + 1])) || src[i + 1] == '.'))) {
      advance(1);
      // Take the whole run of number-like characters, then insist on the one accepted form:
      // [+-] digits [. digits*] [(e|E) [+-] digits]. "1.2.3", "1e", "2x" are errors, not prefixes.
      while (i < src.size() && (nameChar(src[i]) || ((src[i] == '-' || src[i] == '+') && (src[i - 1] == 'e' || src[i - 1] == 'E'))))
        advance(1);
      std::string text = src.substr(start, i - start);
      bool isFloat = false;
      if (!wellFormedNumber(text, &isFloat)) fail(l, cl, "malformed number '" + text + "'");
      toks.push_back({isFloat ? Tok::Float : Tok::Int, text, l, cl});
    } else if (c == '"') {
      advance(1);
      std::string s;
      while (true) {
        if (i >= src.size() || src[i] == '\n') fail(l, cl, "unterminated string");
        if (src[i] == '"') { advance(1); break; }
        if (src[i] == '\\' && i + 1 < src.size()) {
          char e = src[i + 1];
          if (e != '"' && e != '\\' && e != 'n' && e != 't') {
            std::string what = describeChar(e);
            what = what[0] == '\'' ? "'\\" + std::string(1, e) + "'" : "'\\' before " + what;
            fail(line, col, "unknown escape " + what + " in a string (known: \\\" \\\\ \\n \\t)");
          }
          advance(2);
          s += e == 'n' ? '\n' : e == 't' ? '\t' : e;
          continue;
        }
        s += src[i];
        advance(1);
      }
      toks.push_back({Tok::String, s, l, cl});
    } else if (std::string("=(){}[],:").find(c) != std::string::npos) {
      advance(1);
      toks.push_back({Tok::Punct, std::string(1, c), l, cl});
    } else {
      fail(l, cl, "unexpected character " + describeChar(c));
    }
  }
  toks.push_back({Tok::End, "", line, col});
  return toks;
}

}  // namespace mnemo
