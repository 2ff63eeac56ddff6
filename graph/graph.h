// The graph IR: an ordered list of nodes that is always a valid topological order, plus the
// returned values. Every edit goes through this API (create, setOperand, replaceAllUsesWith,
// erase), so operand lists and use lists cannot drift apart.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "graph/node.h"

namespace mnemo {

/// One training mark: \p node has \p role; \p of is the param it belongs to (Grad, OptState)
/// or null.
struct RoleMark {
  Role role;
  Node* node;
  Node* of;
};

class Graph {
 public:
  explicit Graph(std::string name = "main");
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;
  ~Graph();

  const std::string& name() const { return name_; }

  /// Iteration in topological order: `for (Node* n : g.nodes())`. The returned vector is a
  /// snapshot, so the graph may be edited while walking it. The graph keeps the last one and
  /// copies it out until the order changes (walking the node list misses the cache per node);
  /// so, like an edit, a call must not run while another thread uses the same graph.
  std::vector<Node*> nodes() const;
  size_t size() const { return count_; }
  /// One more than the largest Node::id() this graph gave (the size of a table indexed by id).
  size_t idBound() const { return nextNodeId_; }

  /// Creates a node with an already inferred type (use Builder for checked creation). The node
  /// is inserted before \p before, or at the end when \p before is null; every operand must
  /// already be in the graph and come before the insertion point. An empty \p name gets the
  /// next anonymous number; a taken name gets a numeric suffix.
  Node* create(OpKind kind, std::vector<Node*> operands, TensorType type, Attrs attrs,
               std::string name, Stage stage, Node* before = nullptr);

  /// Creates a fused region with operands \p operands and body \p body, whose inputs (in
  /// declaration order) must match the operands' types and which returns one value; the node
  /// takes that value's type.
  Node* createFused(std::vector<Node*> operands, std::unique_ptr<Graph> body, Attrs attrs, std::string name,
                    Stage stage, Node* before = nullptr);

  /// Points operand slot \p index of \p user at \p value (which must come before \p user).
  void setOperand(Node* user, int index, Node* value);
  /// Every use of \p from (operand slots and returns) now uses \p to.
  void replaceAllUsesWith(Node* from, Node* to);
  /// Like replaceAllUsesWith, but \p to may come after some users: the caller must call
  /// reschedule() before anything else reads the order (time batching builds its replacement
  /// after the last operand it needs, then lets reschedule move the users down).
  void replaceAllUsesThenReschedule(Node* from, Node* to);
  /// Replaces every use of \p from with \p to and erases \p from (unless it is still needed as
  /// a returned value of another kind). An anonymous \p to inherits \p from's user-given name,
  /// so optimized dumps keep the names a model gave (%logits, %h_3).
  void replaceAndErase(Node* from, Node* to);
  /// Removes \p n, which must have no uses and not be returned: it leaves the node list, its
  /// operands and its name, and is marked dead (Node::isDead). Its memory is kept until
  /// freeDead(), so pointers to it held by a running pass stay valid.
  void erase(Node* n);
  /// Frees the nodes erased so far (the pass manager calls it after every pass); \returns how
  /// many.
  size_t freeDead();

  /// The graph's results (loss, logits, ...), in order.
  const std::vector<Node*>& outputs() const { return outputs_; }
  void addOutput(Node* n);
  bool isOutput(const Node* n) const;

  /// Marks \p node with \p role (of param \p of for Grad and OptState). A graph has one loss and
  /// a param one gradient: a new mark replaces the old one. Marks follow replaceAllUsesWith and vanish with an erased node. Throws
  /// mnemo::Error for a mark that does not fit (a non-param \p of, a gradient of another type,
  /// an optimizer state that is not a `state` leaf).
  void markRole(Role role, Node* node, Node* of = nullptr);
  /// Every mark, in the order made.
  const std::vector<RoleMark>& roles() const { return roles_; }
  /// The node marked as the loss, or null.
  Node* loss() const;
  /// The gradient marked for \p param, or null.
  Node* gradientOf(const Node* param) const;
  /// (param, gradient) for every marked gradient, in marking order.
  std::vector<std::pair<Node*, Node*>> gradients() const;
  /// What a checkpoint holds, whatever the optimizer: every trained param (not fixed=true; a
  /// fixed one comes back from its initialiser), then every optimizer state, in graph order.
  std::vector<Node*> persistentLeaves() const;

  /// Reorders the nodes by a stable topological sort: among the nodes whose operands are
  /// already placed, the one with the smallest priority comes next. Priorities default to the
  /// current position; \p priority overrides some (e.g. to place a new node where the node it
  /// replaced stood). Nodes that must wait for a later operand move down just far enough.
  void reschedule(const std::unordered_map<const Node*, double>& priority = {});

  /// \returns the node named \p name (without '%'), or null.
  Node* find(const std::string& name) const;
  /// True if every live node is found by its name and the registry names nothing else (what
  /// the verifier asks): one walk over the registry, with no name hashed.
  bool namesConsistent() const;
  /// True if \p n is a live node of this graph (as find(n->name()) == n, without hashing a name).
  bool holds(const Node* n) const { return n->graph_ == this && !n->isDead(); }
  /// \returns true if \p a comes before \p b in the node order.
  bool before(const Node* a, const Node* b) const;
  /// The next anonymous number (the printer's numbering is stable across passes).
  int64_t nextAnonymousId() const { return nextId_; }
  /// A count of the edits made to this graph and to the bodies of its fused regions: every call
  /// that changes a node, an operand, a use list's order, a name, the order, a returned value or
  /// a mark raises it (a call that changes nothing, such as a reschedule that keeps the order,
  /// does not). Equal counts mean an unchanged graph, which lets the pass manager catch a pass
  /// that edits the graph but reports "no change" without printing the graph around each pass.
  uint64_t version() const { return version_; }
  /// The verifier's memory: the version() at which it last found this graph valid, if any
  /// (\p version set, true returned). A node with Node::editedAt() at or below it passed the
  /// checks of its own op, type, operands and use list then and cannot have changed since.
  /// Only the verifier calls noteClean, once a walk found no problem.
  bool lastClean(uint64_t* version) const {
    *version = cleanAt_;
    return hasClean_;
  }
  void noteClean() const {
    cleanAt_ = version_;
    hasClean_ = true;
  }

 private:
  std::string uniqueName(const std::string& hint);
  bool numberTaken(size_t number) const;  // is the anonymous name "<number>" in use?
  void registerName(Node* n);
  void unregisterName(Node* n);
  void renumber() const;
  void addUse(Node* value, Node* user, int index);
  void removeUse(Node* value, Node* user, int index);
  void moveMarks(Node* from, Node* to);
  void edited();  // raises version() here and in the graphs whose regions hold this one
  void* allocateNode();
  void link(Node* n, Node* before);  // into the order, before \p before or at the end
  void unlink(Node* n);

  std::string name_;
  // The order: an intrusive list through Node::prev_/next_.
  Node* first_ = nullptr;
  Node* last_ = nullptr;
  size_t count_ = 0;
  // Node memory: slabs of growing size, filled in creation order; a freed node's slot is reused.
  std::vector<std::unique_ptr<unsigned char[]>> slabs_;
  unsigned char* slabNext_ = nullptr;
  size_t slabLeft_ = 0;    // slots not yet handed out in the newest slab
  size_t slabSlots_ = 0;   // slots of the newest slab
  std::vector<void*> freeSlots_;
  std::vector<Node*> dead_;  // erased, not yet freed
  // The name registry. Most names are anonymous numbers, given in creation order: those sit in
  // a table indexed by the number (a walk over it reads the nodes in about slab order); the
  // other names in a hash map.
  std::vector<Node*> byNumber_;
  size_t numbered_ = 0;       // entries of byNumber_ in use
  size_t numbersInMap_ = 0;   // numeric names that went to byName_ instead (leading zeros, far out)
  std::unordered_map<std::string, Node*> byName_;
  std::vector<Node*> outputs_;
  std::vector<RoleMark> roles_;
  int64_t nextId_ = 0;
  size_t nextNodeId_ = 0;
  uint64_t version_ = 0;
  Graph* owner_ = nullptr;  // the graph whose fused region has this one as its body
  mutable bool orderValid_ = true;
  mutable std::vector<Node*> listed_;  // nodes() as last listed
  mutable bool listedValid_ = true;
  mutable uint64_t cleanAt_ = 0;
  mutable bool hasClean_ = false;
};

/// Counts of the steps Graph takes whose number could grow faster than the graph if a pass
/// used Graph badly: nodes copied out by nodes() (a pass listing the graph once per node is
/// quadratic), use-list entries moved when holes are squeezed out (removal is O(1) amortized),
/// nodes renumbered after an insertion found no room between its neighbours, nodes printed as IR
/// text (the pass manager used to print the whole graph around every pass). Tests compare them
/// at two sequence lengths instead of timing anything.
struct GraphWork {
  uint64_t nodesListed = 0;
  uint64_t useEntriesMoved = 0;
  uint64_t nodesRenumbered = 0;
  uint64_t nodesPrinted = 0;
};
/// This thread's counters (a graph is compiled on one thread); reset by assigning {}.
GraphWork& graphWork();

/// Throws when holding every value of \p g at once, \p bytesPerElement each (8 for the double-
/// precision reference evaluator), would exceed memoryLimitBytes() (support/limits.h).
void checkGraphMemory(const Graph& g, size_t bytesPerElement, const std::string& what);

}  // namespace mnemo
