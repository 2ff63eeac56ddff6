// Hand-made .npy bytes for hostile-input tests: any header dictionary and payload, with none of
// the checks encodeNpy makes (a shape that lies about the payload is the point).
#pragma once

#include <string>

namespace mnemo::testing {

/// The bytes of a .npy v1.0 file with header dictionary \p dict and payload \p payload.
inline std::string rawNpy(const std::string& dict, const std::string& payload) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>(header.size() >> 8);
  return out + header + payload;
}

}  // namespace mnemo::testing
