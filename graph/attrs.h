// Node attributes: a small sorted map from key to a literal (int, float, bool, string, int list).
// What an op accepts, of which kind and with which default, is its row's schema (ops/op_table.h).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace mnemo {

using Attr = std::variant<int64_t, double, bool, std::string, std::vector<int64_t>>;

enum class AttrKind : uint8_t { Int, Float, Bool, String, IntList };

/// Attributes sorted by key, so printing is deterministic.
class Attrs {
 public:
  Attrs() = default;
  Attrs(std::initializer_list<std::pair<const std::string, Attr>> init) : map_(init) {}

  bool has(const std::string& key) const { return map_.count(key) != 0; }
  void set(const std::string& key, Attr v) { map_[key] = std::move(v); }
  void erase(const std::string& key) { map_.erase(key); }
  const std::map<std::string, Attr>& entries() const { return map_; }
  bool empty() const { return map_.empty(); }
  bool operator==(const Attrs& o) const { return map_ == o.map_; }

  /// The stored literal of \p key, or nullptr. Typed reads go through the op's schema
  /// (OpAttrs in ops/op_table.h, Node::attr), which knows each attribute's kind and default.
  const Attr* find(const std::string& key) const {
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, Attr> map_;
};

AttrKind attrKind(const Attr& a);
const char* attrKindName(AttrKind k);
/// \returns the literal as the IR text writes it: 3, 0.5, true, "kaiming", [0,1].
std::string attrToString(const Attr& a);

}  // namespace mnemo
