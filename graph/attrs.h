// Node attributes: a small sorted map from key to a literal (int, float, bool, string, int list).
// What an op accepts, of which kind and with which default, is its row's schema (ops/op_table.h).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace mnemo {

using Attr = std::variant<int64_t, double, bool, std::string, std::vector<int64_t>>;

enum class AttrKind : uint8_t { Int, Float, Bool, String, IntList };

/// Attributes sorted by key, so printing is deterministic. A node has a few at most, so they are
/// kept in one flat vector (one heap block, searched in order) rather than a tree of map nodes.
class Attrs {
 public:
  using Entry = std::pair<std::string, Attr>;

  Attrs() = default;
  /// Like a map's initialisation: a key given twice keeps its first value.
  Attrs(std::initializer_list<Entry> init) {
    for (const Entry& e : init)
      if (!has(e.first)) set(e.first, e.second);
  }

  bool has(const std::string& key) const { return find(key) != nullptr; }
  void set(const std::string& key, Attr v) {
    auto it = lowerBound(key);
    if (it != entries_.end() && it->first == key) it->second = std::move(v);
    else entries_.insert(it, Entry(key, std::move(v)));
  }
  void erase(const std::string& key) {
    auto it = lowerBound(key);
    if (it != entries_.end() && it->first == key) entries_.erase(it);
  }
  /// (key, literal) pairs in key order.
  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  bool operator==(const Attrs& o) const { return entries_ == o.entries_; }

  /// The stored literal of \p key, or nullptr. Typed reads go through the op's schema
  /// (OpAttrs in ops/op_table.h, Node::attr), which knows each attribute's kind and default.
  const Attr* find(const std::string& key) const {
    for (const Entry& e : entries_)
      if (e.first == key) return &e.second;
    return nullptr;
  }

 private:
  std::vector<Entry>::iterator lowerBound(const std::string& key) {
    return std::lower_bound(entries_.begin(), entries_.end(), key,
                            [](const Entry& e, const std::string& k) { return e.first < k; });
  }
  std::vector<Entry> entries_;
};

AttrKind attrKind(const Attr& a);
const char* attrKindName(AttrKind k);
/// \returns the literal as the IR text writes it: 3, 0.5, true, "kaiming", [0,1].
std::string attrToString(const Attr& a);

}  // namespace mnemo
