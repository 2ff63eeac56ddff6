#include "graph/names.h"

#include <algorithm>
#include <cctype>

namespace mnemo {

bool isAnonymousName(const std::string& name) {
  return std::all_of(name.begin(), name.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

}  // namespace mnemo
