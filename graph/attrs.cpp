#include "graph/attrs.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "support/error.h"

namespace mnemo {

AttrKind attrKind(const Attr& a) { return static_cast<AttrKind>(a.index()); }

const char* attrKindName(AttrKind k) {
  switch (k) {
    case AttrKind::Int: return "int";
    case AttrKind::Float: return "float";
    case AttrKind::Bool: return "bool";
    case AttrKind::String: return "string";
    case AttrKind::IntList: return "int list";
  }
  return "?";
}

std::string attrToString(const Attr& a) {
  switch (attrKind(a)) {
    case AttrKind::Int: return std::to_string(std::get<int64_t>(a));
    case AttrKind::Float: {
      double d = std::get<double>(a);
      if (std::isnan(d)) return "nan";  // the sign of a NaN is not kept ("-nan" would not parse)
      char buf[40];
      // Shortest form that reads back to the same double.
      for (int prec = 6; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (std::strtod(buf, nullptr) == d) break;
      }
      std::string s = buf;
      if (std::isfinite(d) && s.find_first_of(".eE") == std::string::npos) s += ".0";
      return s;
    }
    case AttrKind::Bool: return std::get<bool>(a) ? "true" : "false";
    case AttrKind::String: {
      std::string s = "\"";
      for (char c : std::get<std::string>(a)) {
        if (c == '\n') s += "\\n";  // the lexer reads \n and \t back; a raw newline would end the line
        else if (c == '\t') s += "\\t";
        else if (c == '"' || c == '\\') s += std::string("\\") + c;
        else s += c;
      }
      return s + "\"";
    }
    case AttrKind::IntList: {
      std::string s = "[";
      const auto& v = std::get<std::vector<int64_t>>(a);
      for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
      return s + "]";
    }
  }
  return "?";
}

}  // namespace mnemo
