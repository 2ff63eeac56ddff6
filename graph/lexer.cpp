#include "graph/lexer.h"

#include <cctype>

#include "graph/error.h"

namespace mnemo {

namespace {
bool nameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }
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
    } else if (std::isdigit(static_cast<unsigned char>(c)) || ((c == '-' || c == '+') && i + 1 < src.size() && (std::isdigit(static_cast<unsigned char>(src[i + 1])) || src[i + 1] == '.'))) {
      bool isFloat = false;
      advance(1);
      while (i < src.size()) {
        char d = src[i];
        if (std::isdigit(static_cast<unsigned char>(d))) advance(1);
        else if (d == '.' ) { isFloat = true; advance(1); }
        else if ((d == 'e' || d == 'E')) {
          isFloat = true;
          advance(1);
          if (i < src.size() && (src[i] == '-' || src[i] == '+')) advance(1);
        } else break;
      }
      toks.push_back({isFloat ? Tok::Float : Tok::Int, src.substr(start, i - start), l, cl});
    } else if (c == '"') {
      advance(1);
      std::string s;
      while (true) {
        if (i >= src.size() || src[i] == '\n') fail(l, cl, "unterminated string");
        if (src[i] == '"') { advance(1); break; }
        if (src[i] == '\\' && i + 1 < src.size()) advance(1);
        s += src[i];
        advance(1);
      }
      toks.push_back({Tok::String, s, l, cl});
    } else if (std::string("=(){}[],:").find(c) != std::string::npos) {
      advance(1);
      toks.push_back({Tok::Punct, std::string(1, c), l, cl});
    } else {
      fail(l, cl, std::string("unexpected character '") + c + "'");
    }
  }
  toks.push_back({Tok::End, "", line, col});
  return toks;
}

}  // namespace mnemo
