#include "ops/op_table.h"

#include <cstring>
#include <type_traits>

#include "support/error.h"

namespace mnemo {

namespace {

std::vector<OpInfo> buildTable() {
  std::vector<OpInfo> table = {
#define OP(Enum, name, arity, category, flags) \
  OpInfo{OpKind::Enum, name, arity, Category::category, flags, {}, nullptr, nullptr, nullptr, FusionPattern::Opaque, {}, nullptr},
#include "ops/ops.def"
#undef OP
  };
  describeLeafOps(table.data());
  describeElementwiseOps(table.data());
  describeMatMulOps(table.data());
  describeShapeOps(table.data());
  describeReduceOps(table.data());
  describeLossOps(table.data());
  describeOptimizerOps(table.data());
  describeRandomOps(table.data());
  for (OpInfo& info : table) {  // the pattern follows from the category unless a family file set it
    if (info.pattern != FusionPattern::Opaque) continue;
    if (info.category == Category::Elementwise)
      info.pattern = info.hasFlag(kBroadcast) ? FusionPattern::Broadcast : FusionPattern::Elementwise;
    if (info.category == Category::Shape) info.pattern = FusionPattern::Injective;
    if (info.category == Category::Reduction) info.pattern = FusionPattern::Reduction;
  }
  describeFusedOps(table.data());
  for (const OpInfo& info : table) {
    const ScalarFns& s = info.elementwise.scalar;
    MNEMO_CHECK(s.arity == 0 || s.arity == info.arity,
                "op '" << info.name << "': its scalar function takes " << s.arity << " operands, the op " << info.arity);
    MNEMO_CHECK(info.inferType, "op '" << info.name << "' has no shape rule");
    MNEMO_CHECK(info.evaluate, "op '" << info.name << "' has no reference evaluation");
    if (info.category == Category::Leaf) continue;  // leaves have no operands to differentiate
    MNEMO_CHECK(info.hasFlag(kNoGrad) == (info.vjp == nullptr),
                "op '" << info.name << "': kNoGrad must be set exactly when there is no gradient rule");
  }
  return table;
}

const std::vector<OpInfo>& table() {
  static const std::vector<OpInfo> t = buildTable();
  return t;
}

}  // namespace

const OpInfo& opInfo(OpKind kind) { return table()[static_cast<int>(kind)]; }

AttrSpec requiredAttr(std::string name, AttrKind kind) { return {std::move(name), kind, true, std::nullopt}; }

AttrSpec defaultedAttr(std::string name, Attr defaultValue) {
  AttrKind kind = attrKind(defaultValue);
  return {std::move(name), kind, false, std::move(defaultValue)};
}

AttrSpec optionalAttr(std::string name, AttrKind kind) { return {std::move(name), kind, false, std::nullopt}; }

const AttrSpec* findAttrSpec(OpKind kind, const std::string& key) {
  for (const AttrSpec& s : opInfo(kind).attrs)
    if (s.name == key) return &s;
  return nullptr;
}

namespace {
/// A float attribute also takes an integer literal (`value=1`), which reads as that number.
bool fitsKind(const Attr& value, AttrKind declared) {
  AttrKind k = attrKind(value);
  return k == declared || (declared == AttrKind::Float && k == AttrKind::Int);
}
}  // namespace

std::string checkAttrs(OpKind kind, const Attrs& attrs) {
  for (const auto& [key, value] : attrs.entries()) {
    const AttrSpec* spec = findAttrSpec(kind, key);
    if (!spec) return "unknown attribute '" + key + "'";
    if (!fitsKind(value, spec->kind))
      return "attribute '" + key + "' must be " + attrKindName(spec->kind) + ", got " + attrToString(value);
  }
  for (const AttrSpec& s : opInfo(kind).attrs)
    if (s.required && !attrs.has(s.name)) return "missing attribute '" + s.name + "'";
  return "";
}

std::string OpAttrs::who() const {
  return node_ ? "node %" + *node_ + " (" + opName(kind_) + ")" : std::string("op '") + opName(kind_) + "'";
}

bool OpAttrs::has(const std::string& key) const {
  if (!findAttrSpec(kind_, key)) MNEMO_FAIL(who() << ": its op declares no attribute '" << key << "'");
  return attrs_.has(key);
}

const Attr& OpAttrs::value(const std::string& key, AttrKind wanted) const {
  const AttrSpec* spec = findAttrSpec(kind_, key);
  if (!spec) MNEMO_FAIL(who() << ": its op declares no attribute '" << key << "'");
  if (spec->kind != wanted)
    MNEMO_FAIL(who() << ": attribute '" << key << "' is declared " << attrKindName(spec->kind) << ", read as "
                     << attrKindName(wanted));
  if (const Attr* v = attrs_.find(key)) {
    if (!fitsKind(*v, spec->kind))
      MNEMO_FAIL(who() << ": attribute '" << key << "' must be " << attrKindName(spec->kind) << ", got "
                       << attrToString(*v));
    return *v;
  }
  if (!spec->defaultValue)
    MNEMO_FAIL(who() << ": attribute '" << key << "' is not given and its op gives no default");
  return *spec->defaultValue;
}

namespace {
template <typename T> constexpr AttrKind kindOf();
template <> constexpr AttrKind kindOf<int64_t>() { return AttrKind::Int; }
template <> constexpr AttrKind kindOf<double>() { return AttrKind::Float; }
template <> constexpr AttrKind kindOf<bool>() { return AttrKind::Bool; }
template <> constexpr AttrKind kindOf<std::string>() { return AttrKind::String; }
template <> constexpr AttrKind kindOf<std::vector<int64_t>>() { return AttrKind::IntList; }
}  // namespace

template <typename T>
T OpAttrs::get(const std::string& key) const {
  const Attr& v = value(key, kindOf<T>());
  if constexpr (std::is_same_v<T, double>) {
    if (const int64_t* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  }
  return std::get<T>(v);
}

template int64_t OpAttrs::get<int64_t>(const std::string&) const;
template double OpAttrs::get<double>(const std::string&) const;
template bool OpAttrs::get<bool>(const std::string&) const;
template std::string OpAttrs::get<std::string>(const std::string&) const;
template std::vector<int64_t> OpAttrs::get<std::vector<int64_t>>(const std::string&) const;
// Node::attr for the same kinds, so code that reads an attribute links whether or not it
// includes this header (graph/node.h declares it).
template int64_t Node::attr<int64_t>(const std::string&) const;
template double Node::attr<double>(const std::string&) const;
template bool Node::attr<bool>(const std::string&) const;
template std::string Node::attr<std::string>(const std::string&) const;
template std::vector<int64_t> Node::attr<std::vector<int64_t>>(const std::string&) const;
bool Node::hasAttr(const std::string& key) const { return OpAttrs(kind(), attrs(), &name()).has(key); }

const char* patternName(FusionPattern p) {
  switch (p) {
    case FusionPattern::Elementwise: return "elementwise";
    case FusionPattern::Broadcast: return "broadcast";
    case FusionPattern::Injective: return "injective";
    case FusionPattern::Reduction: return "reduction";
    case FusionPattern::Opaque: return "opaque";
  }
  return "?";
}

}  // namespace mnemo
