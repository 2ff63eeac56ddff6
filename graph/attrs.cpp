#include "graph/attrs.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "support/error.h"

namespace mnemo {

namespace {
template <typename T>
const T* lookup(const std::map<std::string, Attr>& map, const std::string& key, const char* kind) {
  auto it = map.find(key);
  if (it == map.end()) return nullptr;
  if (!std::holds_alternative<T>(it->second))
    MNEMO_FAIL("attribute '" << key << "' must be " << kind << ", got "
                             << attrToString(it->second));
  return &std::get<T>(it->second);
}
}  // namespace

int64_t Attrs::getInt(const std::string& key, int64_t fallback) const {
  const int64_t* v = lookup<int64_t>(map_, key, "an integer");
  return v ? *v : fallback;
}

double Attrs::getFloat(const std::string& key, double fallback) const {
  auto it = map_.find(key);
  if (it != map_.end() && std::holds_alternative<int64_t>(it->second))
    return static_cast<double>(std::get<int64_t>(it->second));
  const double* v = lookup<double>(map_, key, "a number");
  return v ? *v : fallback;
}

bool Attrs::getBool(const std::string& key, bool fallback) const {
  const bool* v = lookup<bool>(map_, key, "true or false");
  return v ? *v : fallback;
}

std::string Attrs::getString(const std::string& key, const std::string& fallback) const {
  const std::string* v = lookup<std::string>(map_, key, "a string");
  return v ? *v : fallback;
}

std::vector<int64_t> Attrs::getInts(const std::string& key) const {
  const std::vector<int64_t>* v = lookup<std::vector<int64_t>>(map_, key, "an integer list");
  return v ? *v : std::vector<int64_t>{};
}

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
