// A node of the graph IR. A node is an op application and, at the same time, the value it
// produces (each node has at most one result; side-effecting updates have none). Operands and
// use lists are kept consistent by Graph: a Node is never edited directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "support/small_vector.h"
#include "graph/attrs.h"
#include "graph/types.h"
#include "graph/op_kind.h"

namespace mnemo {

/// The three stages of a training graph. Inference runs the `fwd` prefix.
enum class Stage : uint8_t { Fwd, Bwd, Opt };
const char* stageName(Stage s);

/// What a value is for in training. Params are marked by their op (`param`); the other roles
/// are marks the training passes put on the graph (Graph::markRole) and the IR text prints as
/// `.role` lines: the loss, the gradient of a param, an optimizer state of a param (persistent,
/// so checkpointed) and the optimizer's hyper-parameters (bound before every step, not saved).
enum class Role : uint8_t { Loss, Grad, OptState, Hyper };
const char* roleName(Role r);
/// \returns the role named \p name ("loss", "grad", "opt_state", "hyper"); false if none is.
bool roleFromName(const std::string& name, Role* role);
/// True for the roles that name the param they belong to (`.role grad %g of %w`).
inline bool roleHasParam(Role r) { return r == Role::Grad || r == Role::OptState; }

class Node;
class Graph;

/// One use of a value: operand slot \p index of node \p user.
struct Use {
  Node* user;
  int index;
  bool operator==(const Use& o) const { return user == o.user && index == o.index; }
};

/// The uses of a value, in the order they were made. Graph::removeUse leaves a hole (a null
/// user) in place of a removed use, so that removing one costs O(1) and the order of the others
/// stays; holes are squeezed out once they outnumber the uses left. This view skips them.
class UseList {
 public:
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Use;
    using difference_type = std::ptrdiff_t;
    using pointer = const Use*;
    using reference = const Use&;
    iterator(const Use* at, const Use* end) : at_(at), end_(end) { skipHoles(); }
    const Use& operator*() const { return *at_; }
    const Use* operator->() const { return at_; }
    iterator& operator++() {
      ++at_;
      skipHoles();
      return *this;
    }
    bool operator!=(const iterator& o) const { return at_ != o.at_; }
    bool operator==(const iterator& o) const { return at_ == o.at_; }

   private:
    void skipHoles() {
      while (at_ != end_ && at_->user == nullptr) ++at_;
    }
    const Use* at_;
    const Use* end_;
  };
  UseList(const Use* entries, size_t count, size_t live) : entries_(entries), end_(entries + count), live_(live) {}
  size_t size() const { return live_; }
  bool empty() const { return live_ == 0; }
  iterator begin() const { return {entries_, end_}; }
  iterator end() const { return {end_, end_}; }
  /// The \p i-th use (a walk over at most i uses and the holes before them).
  const Use& operator[](size_t i) const {
    iterator it = begin();
    while (i-- > 0) ++it;
    return *it;
  }

 private:
  const Use* entries_;
  const Use* end_;
  size_t live_;
};

/// A node's operands, in slot order; up to four are stored inside the node.
using OperandList = SmallVector<Node*, 4>;

class Node {
 public:
  OpKind kind() const { return kind_; }
  const TensorType& type() const { return type_; }
  const Dims& dims() const { return type_.dims; }
  /// A number no other node of its graph ever had, given in creation order (0, 1, 2, ...). A
  /// pass's side table indexed by it, a std::vector of Graph::idBound() entries, is much faster
  /// on a large graph than a hash map keyed by node (one cache line per lookup, not several).
  size_t id() const { return id_; }
  /// Stable name, without the leading '%'.
  const std::string& name() const { return name_; }
  Stage stage() const { return stage_; }
  /// The stored attributes (for printing, copying, comparing). Read one with attr<T>().
  const Attrs& attrs() const { return attrs_; }
  /// Attribute \p key read through the op's schema: the stored value, or the row's default when
  /// absent; throws for a key the op does not declare or a T of another kind (OpAttrs::get).
  /// The schema belongs to the op rows, a layer above the graph: these two are defined in
  /// ops/op_table.h, so code that reads attributes includes it (the graph core reads none).
  template <typename T>
  T attr(const std::string& key) const;
  /// True if attribute \p key is given (it must be one the op declares).
  bool hasAttr(const std::string& key) const;

  int numOperands() const { return static_cast<int>(operands_.size()); }
  Node* operand(int i) const { return operands_[i]; }
  const OperandList& operands() const { return operands_; }
  UseList uses() const { return {uses_.data(), uses_.size(), uses_.size() - useHoles_}; }
  bool hasUses() const { return uses_.size() > useHoles_; }

  bool isLeaf() const { return opCategory(kind_) == Category::Leaf; }
  /// The body of a fused region (inputs %p0.. stand for the operands; one returned value), or
  /// null for any other op.
  const Graph* body() const { return body_.get(); }
  bool hasSideEffect() const { return (opFlags(kind_) & kSideEffect) != 0; }
  /// True once Graph::erase removed the node: it is no longer in the graph (no operands, no
  /// uses, no name) but its memory lives until Graph::freeDead(), which the pass manager calls
  /// after each pass, so a pass walking a snapshot of nodes() may ask a node it erased.
  bool isDead() const { return dead_; }
  /// The graph's version() right after this node was created, last had an operand slot
  /// pointed elsewhere or gained or lost a use. Its kind, type, attributes and name never
  /// change after creation, so the checks that read only those, its operands' types and its
  /// use list hold until this moves (Graph::lastClean, the verifier).
  uint64_t editedAt() const { return editedAt_; }

 private:
  friend class Graph;
  Node(OpKind kind, TensorType type, Attrs attrs, std::string name, Stage stage);
 public:
  ~Node();

 private:
  // Graph allocates nodes in slabs, in creation order, and keeps the short lists (operands, uses,
  // use slots) inside the node: a walk over the graph then reads neighbouring memory instead of
  // a separate heap block per list. The fields every walk reads come first.
  OpKind kind_;
  Stage stage_;
  bool dead_ = false;
  uint32_t useHoles_ = 0;          // holes (null user) in uses_, where uses were removed
  size_t id_ = 0;
  uint64_t editedAt_ = 0;
  Node* prev_ = nullptr;           // the graph's order (an intrusive list)
  Node* next_ = nullptr;
  mutable int64_t order_ = 0;      // index in the node list; valid while Graph::orderValid_
  OperandList operands_;
  SmallVector<Use, 2> uses_;
  TensorType type_;
  SmallVector<uint32_t, 4> useSlots_;  // per operand slot: where its entry is in the operand's uses_
  const Graph* graph_ = nullptr;   // the graph that made it
  std::unique_ptr<Graph> body_;
  std::string name_;
  Attrs attrs_;
};

}  // namespace mnemo
