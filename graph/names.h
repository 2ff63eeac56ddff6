// Value names: which ones the graph made up itself.
#pragma once

#include <string>

namespace mnemo {

/// True for a name the graph numbered itself (all digits), and for the empty name (no name
/// given). A user's name has at least one non-digit.
bool isAnonymousName(const std::string& name);

}  // namespace mnemo
