#include "graph/graph.h"

#include <algorithm>
#include <cctype>
#include <new>
#include <queue>

#include "support/error.h"
#include "support/limits.h"
#include "graph/names.h"

namespace mnemo {

const char* stageName(Stage s) {
  switch (s) {
    case Stage::Fwd: return "fwd";
    case Stage::Bwd: return "bwd";
    case Stage::Opt: return "opt";
  }
  return "?";
}

const char* roleName(Role r) {
  switch (r) {
    case Role::Loss: return "loss";
    case Role::Grad: return "grad";
    case Role::OptState: return "opt_state";
    case Role::Hyper: return "hyper";
  }
  return "?";
}

bool roleFromName(const std::string& name, Role* role) {
  for (Role r : {Role::Loss, Role::Grad, Role::OptState, Role::Hyper}) {
    if (name == roleName(r)) {
      *role = r;
      return true;
    }
  }
  return false;
}

Node::Node(OpKind kind, TensorType type, Attrs attrs, std::string name, Stage stage)
    : kind_(kind), stage_(stage), type_(std::move(type)), name_(std::move(name)), attrs_(std::move(attrs)) {}
Node::~Node() = default;

Graph::Graph(std::string name) : name_(std::move(name)) {}

Graph::~Graph() {
  for (Node* n = first_; n != nullptr;) {
    Node* next = n->next_;
    n->~Node();
    n = next;
  }
  for (Node* n : dead_) n->~Node();
}

// The first slab of a graph is small (a fused region's body has a handful of nodes); each next
// one doubles, up to a cap, so a large graph's nodes lie in a few long runs of memory.
constexpr size_t kFirstSlabSlots = 4;
constexpr size_t kMaxSlabSlots = 1024;

void* Graph::allocateNode() {
  if (!freeSlots_.empty()) {
    void* slot = freeSlots_.back();
    freeSlots_.pop_back();
    return slot;
  }
  if (slabLeft_ == 0) {
    slabSlots_ = slabSlots_ == 0 ? kFirstSlabSlots : std::min(kMaxSlabSlots, 2 * slabSlots_);
    slabs_.emplace_back(new unsigned char[slabSlots_ * sizeof(Node)]);
    slabNext_ = slabs_.back().get();
    slabLeft_ = slabSlots_;
  }
  void* slot = slabNext_;
  slabNext_ += sizeof(Node);
  --slabLeft_;
  return slot;
}

void Graph::link(Node* n, Node* before) {
  Node* prev = before ? before->prev_ : last_;
  n->prev_ = prev;
  n->next_ = before;
  (prev ? prev->next_ : first_) = n;
  (before ? before->prev_ : last_) = n;
  ++count_;
}

void Graph::unlink(Node* n) {
  (n->prev_ ? n->prev_->next_ : first_) = n->next_;
  (n->next_ ? n->next_->prev_ : last_) = n->prev_;
  n->prev_ = n->next_ = nullptr;
  --count_;
}

GraphWork& graphWork() {
  thread_local GraphWork work;
  return work;
}

std::vector<Node*> Graph::nodes() const {
  graphWork().nodesListed += count_;
  if (!listedValid_) {
    listed_.clear();
    listed_.reserve(count_);
    for (Node* n = first_; n != nullptr; n = n->next_) listed_.push_back(n);
    listedValid_ = true;
  }
  return listed_;
}

namespace {
/// A name the numbered table can hold: a number written without leading zeros, short enough
/// that its value fits a size_t (\p number).
bool plainNumber(const std::string& name, size_t* number) {
  if (name.empty() || name.size() > 9 || (name.size() > 1 && name[0] == '0')) return false;
  size_t value = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return false;
    value = 10 * value + static_cast<size_t>(c - '0');
  }
  *number = value;
  return true;
}
// How far past the numbered table's end a new number may lie and still go into it (a parsed
// file's %900000000 goes to the hash map rather than growing the table that far).
constexpr size_t kNumberedSlack = size_t{1} << 16;
}  // namespace

bool Graph::numberTaken(size_t number) const {
  if (number < byNumber_.size() && byNumber_[number] != nullptr) return true;
  return numbersInMap_ > 0 && byName_.count(std::to_string(number)) != 0;
}

void Graph::registerName(Node* n) {
  size_t number;
  bool plain = plainNumber(n->name_, &number);
  if (plain && number < byNumber_.size() + kNumberedSlack) {
    if (number >= byNumber_.size()) byNumber_.resize(number + 1, nullptr);
    byNumber_[number] = n;
    ++numbered_;
    return;
  }
  byName_[n->name_] = n;
  if (plain) ++numbersInMap_;
}

void Graph::unregisterName(Node* n) {
  size_t number;
  bool plain = plainNumber(n->name_, &number);
  if (plain && number < byNumber_.size() && byNumber_[number] == n) {
    byNumber_[number] = nullptr;
    --numbered_;
    return;
  }
  if (byName_.erase(n->name_) != 0 && plain) --numbersInMap_;
}

std::string Graph::uniqueName(const std::string& hint) {
  if (hint.empty()) {
    while (numberTaken(static_cast<size_t>(nextId_))) ++nextId_;
    return std::to_string(nextId_++);
  }
  // A numeric name moves the counter past it; one too long for int64 cannot collide with it.
  if (!hint.empty() && isAnonymousName(hint) && hint.size() < 18) nextId_ = std::max<int64_t>(nextId_, std::stoll(hint) + 1);
  if (find(hint) == nullptr) return hint;
  for (int k = 1;; ++k) {
    std::string candidate = hint + "." + std::to_string(k);
    if (find(candidate) == nullptr) return candidate;
  }
}

// Order numbers are spaced so that a node inserted between two others can usually take a number
// between theirs; only when a gap is used up is the whole list renumbered.
constexpr int64_t kOrderGap = 1024;

void Graph::renumber() const {
  int64_t i = 0;
  for (Node* n = first_; n != nullptr; n = n->next_) n->order_ = kOrderGap * i++;
  graphWork().nodesRenumbered += count_;
  orderValid_ = true;
}

void Graph::edited() {
  for (Graph* g = this; g != nullptr; g = g->owner_) ++g->version_;
}

bool Graph::before(const Node* a, const Node* b) const {
  if (!orderValid_) renumber();
  return a->order_ < b->order_;
}

Node* Graph::create(OpKind kind, std::vector<Node*> operands, TensorType type, Attrs attrs,
                    std::string name, Stage stage, Node* before) {
  for (Node* op : operands) {
    MNEMO_CHECK(op != nullptr, "null operand for " << opName(kind));
    MNEMO_CHECK(holds(op), "operand %" << op->name() << " is not in graph @" << name_);
    if (before) MNEMO_CHECK(this->before(op, before), "operand %" << op->name() << " comes after the insertion point");
  }
  std::string unique = uniqueName(name);
  void* slot = allocateNode();
  Node* n;
  try {
    n = new (slot) Node(kind, std::move(type), std::move(attrs), std::move(unique), stage);
  } catch (...) {
    freeSlots_.push_back(slot);
    throw;
  }
  edited();
  n->editedAt_ = version_;
  n->id_ = nextNodeId_++;
  n->graph_ = this;
  if (before) listedValid_ = false;
  else if (listedValid_) listed_.push_back(n);
  link(n, before);
  registerName(n);
  n->operands_ = OperandList(operands);
  n->useSlots_.resize(n->operands_.size());
  for (int i = 0; i < n->numOperands(); ++i) addUse(n->operands_[i], n, i);
  if (before) {
    int64_t prev = n->prev_ == nullptr ? before->order_ - 2 * kOrderGap : n->prev_->order_;
    n->order_ = prev + (before->order_ - prev) / 2;
    if (n->order_ <= prev) orderValid_ = false;  // no room left between the neighbours
  } else {
    n->order_ = n->prev_ != nullptr ? n->prev_->order_ + kOrderGap : 0;
  }
  return n;
}

Node* Graph::createFused(std::vector<Node*> operands, std::unique_ptr<Graph> body, Attrs attrs, std::string name,
                         Stage stage, Node* before) {
  MNEMO_CHECK(body && body->outputs().size() == 1, "a fused region's body must return one value");
  std::vector<Node*> params;
  for (Node* n : body->nodes())
    if (n->kind() == OpKind::Input) params.push_back(n);
  MNEMO_CHECK(params.size() == operands.size(), "fused region has " << params.size() << " parameters for "
                                                                    << operands.size() << " operands");
  for (size_t i = 0; i < params.size(); ++i)
    MNEMO_CHECK(params[i]->type() == operands[i]->type(), "fused region parameter %" << params[i]->name()
                                                              << " does not match operand %" << operands[i]->name());
  TensorType type = body->outputs()[0]->type();
  Node* n = create(OpKind::Fused, std::move(operands), std::move(type), std::move(attrs), std::move(name), stage, before);
  n->body_ = std::move(body);
  n->body_->owner_ = this;
  return n;
}

void Graph::addUse(Node* value, Node* user, int index) {
  edited();
  user->useSlots_[index] = static_cast<uint32_t>(value->uses_.size());
  value->uses_.push_back({user, index});
  value->editedAt_ = version_;
}

// A removed use becomes a hole, found through the user's slot record: no search, and the other
// uses keep their order (passes read it). Once the holes outnumber the live uses they are
// squeezed out, which moves each live entry and updates its slot record; a value used by every
// time step thus pays O(1) amortized per removed use instead of a walk over its whole list.
void Graph::removeUse(Node* value, Node* user, int index) {
  auto& uses = value->uses_;
  size_t at = user->useSlots_[index];
  MNEMO_CHECK(at < uses.size() && uses[at] == (Use{user, index}),
              "use list of %" << value->name() << " lacks %" << user->name());
  uses[at] = {nullptr, -1};
  ++value->useHoles_;
  edited();
  value->editedAt_ = version_;
  if (2 * value->useHoles_ <= uses.size()) return;
  size_t kept = 0;
  for (const Use& u : uses) {
    if (!u.user) continue;
    u.user->useSlots_[u.index] = static_cast<uint32_t>(kept);
    uses[kept++] = u;
  }
  graphWork().useEntriesMoved += kept;
  uses.resize(kept);
  value->useHoles_ = 0;
}

void Graph::setOperand(Node* user, int index, Node* value) {
  MNEMO_CHECK(index >= 0 && index < user->numOperands(), "operand index out of range");
  MNEMO_CHECK(before(value, user), "%" << value->name() << " does not come before %" << user->name());
  removeUse(user->operands_[index], user, index);
  user->operands_[index] = value;
  addUse(value, user, index);
  user->editedAt_ = version_;
}

void Graph::replaceAllUsesWith(Node* from, Node* to) {
  if (from == to) return;
  std::vector<Use> uses(from->uses().begin(), from->uses().end());
  for (const Use& u : uses) setOperand(u.user, u.index, to);
  for (Node*& out : outputs_)
    if (out == from) {
      out = to;
      edited();
    }
  moveMarks(from, to);
}

void Graph::replaceAllUsesThenReschedule(Node* from, Node* to) {
  std::vector<Use> uses(from->uses().begin(), from->uses().end());
  for (const Use& u : uses) {
    removeUse(from, u.user, u.index);
    u.user->operands_[u.index] = to;
    addUse(to, u.user, u.index);
    u.user->editedAt_ = version_;
  }
  for (Node*& out : outputs_)
    if (out == from) {
      out = to;
      edited();
    }
  moveMarks(from, to);
}

void Graph::moveMarks(Node* from, Node* to) {
  for (RoleMark& m : roles_) {
    if (m.node != from && m.of != from) continue;
    if (m.node == from) m.node = to;
    if (m.of == from) m.of = to;
    edited();
  }
}

void Graph::markRole(Role role, Node* node, Node* of) {
  MNEMO_CHECK(node && !node->isDead(), "marking a node that is not in graph @" << name_);
  const std::string what = std::string("'") + roleName(role) + "' mark on %" + node->name();
  if (roleHasParam(role)) {
    if (!of || of->kind() != OpKind::Param) MNEMO_FAIL(what << " needs the param it belongs to");
    if (node->type() != of->type())
      MNEMO_FAIL(what << " : " << node->type().str() << " does not match param %" << of->name() << " : "
                      << of->type().str());
  } else if (of) {
    MNEMO_FAIL(what << " takes no param, got %" << of->name());
  }
  if ((role == Role::OptState || role == Role::Hyper) && node->kind() != OpKind::State)
    MNEMO_FAIL(what << ": an optimizer's values must be a state leaf, not " << opName(node->kind()));
  // A new loss, or a new gradient of a param, replaces the old mark (autodiff may run again).
  roles_.erase(std::remove_if(roles_.begin(), roles_.end(),
                              [&](const RoleMark& m) {
                                return (role == Role::Loss && m.role == Role::Loss) ||
                                       (role == Role::Grad && m.role == Role::Grad && m.of == of) ||
                                       (m.role == role && m.node == node && m.of == of);
                              }),
               roles_.end());
  roles_.push_back({role, node, of});
  edited();
}

Node* Graph::loss() const {
  for (const RoleMark& m : roles_)
    if (m.role == Role::Loss) return m.node;
  return nullptr;
}

Node* Graph::gradientOf(const Node* param) const {
  for (const RoleMark& m : roles_)
    if (m.role == Role::Grad && m.of == param) return m.node;
  return nullptr;
}

std::vector<std::pair<Node*, Node*>> Graph::gradients() const {
  std::vector<std::pair<Node*, Node*>> out;
  for (const RoleMark& m : roles_)
    if (m.role == Role::Grad) out.emplace_back(m.of, m.node);
  return out;
}

namespace {
/// A boolean attribute as stored. The graph core reads no schema (that is the op rows', a layer
/// above); a flag such as a param's `fixed` is off unless the node says so, as its row declares.
bool storedFlag(const Node& n, const std::string& key) {
  const Attr* a = n.attrs().find(key);
  return a != nullptr && std::holds_alternative<bool>(*a) && std::get<bool>(*a);
}
}  // namespace

std::vector<Node*> Graph::persistentLeaves() const {
  std::vector<Node*> params, states;
  for (Node* n = first_; n != nullptr; n = n->next_)
    if (n->kind() == OpKind::Param && !storedFlag(*n, "fixed")) params.push_back(n);
  for (Node* n = first_; n != nullptr; n = n->next_) {
    for (const RoleMark& m : roles_) {
      if (m.role == Role::OptState && m.node == n) {
        states.push_back(n);
        break;
      }
    }
  }
  params.insert(params.end(), states.begin(), states.end());
  return params;
}

void Graph::replaceAndErase(Node* from, Node* to) {
  replaceAllUsesWith(from, to);
  std::string inherited = isAnonymousName(to->name_) && !isAnonymousName(from->name_) ? from->name_ : "";
  erase(from);
  if (!inherited.empty()) {
    edited();
    unregisterName(to);
    to->name_ = inherited;
    registerName(to);
  }
}

void Graph::erase(Node* n) {
  MNEMO_CHECK(!n->hasUses(), "erasing %" << n->name() << " which still has uses");
  MNEMO_CHECK(!isOutput(n), "erasing %" << n->name() << " which is returned");
  edited();
  for (int i = 0; i < n->numOperands(); ++i) removeUse(n->operands_[i], n, i);
  n->operands_.clear();
  n->useSlots_.clear();
  roles_.erase(std::remove_if(roles_.begin(), roles_.end(), [n](const RoleMark& m) { return m.node == n || m.of == n; }),
               roles_.end());
  unregisterName(n);
  n->dead_ = true;
  listedValid_ = false;
  unlink(n);  // the others keep their relative order numbers
  dead_.push_back(n);
}

size_t Graph::freeDead() {
  size_t freed = dead_.size();
  for (Node* n : dead_) {
    n->~Node();
    freeSlots_.push_back(n);
  }
  dead_.clear();
  return freed;
}

void Graph::reschedule(const std::unordered_map<const Node*, double>& priority) {
  listedValid_ = false;
  // Priorities are positions (0, 1, 2, ...) in the current order. Tables are indexed by id.
  std::vector<int64_t> position(nextNodeId_, -1);
  int64_t placed = 0;
  std::vector<double> rank(nextNodeId_);
  for (Node* n = first_; n != nullptr; n = n->next_) {
    position[n->id_] = placed;
    rank[n->id_] = static_cast<double>(placed++);
  }
  for (const auto& [n, p] : priority)
    if (holds(n)) rank[n->id_] = p;
  auto key = [&](const Node* n) { return rank[n->id_]; };
  // Kahn's algorithm over a min-heap of (priority, position).
  using Entry = std::pair<std::pair<double, int64_t>, Node*>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> ready;
  std::vector<int> pending(nextNodeId_, 0);
  for (Node* n = first_; n != nullptr; n = n->next_) {
    pending[n->id_] = n->numOperands();
    if (n->numOperands() == 0) ready.push({{key(n), position[n->id_]}, n});
  }
  std::vector<Node*> sorted;
  sorted.reserve(count_);
  while (!ready.empty()) {
    Node* n = ready.top().second;
    ready.pop();
    sorted.push_back(n);
    for (const Use& u : n->uses())
      if (--pending[u.user->id_] == 0) ready.push({{key(u.user), position[u.user->id_]}, u.user});
  }
  MNEMO_CHECK(sorted.size() == count_, "reschedule: the graph has a cycle");
  bool moved = false;  // the same order iff each node keeps its position
  for (size_t i = 0; i < sorted.size() && !moved; ++i) moved = position[sorted[i]->id_] != static_cast<int64_t>(i);
  Node* prev = nullptr;
  for (Node* n : sorted) {
    n->prev_ = prev;
    (prev ? prev->next_ : first_) = n;
    prev = n;
  }
  last_ = prev;
  if (last_) last_->next_ = nullptr;
  renumber();
  listed_.swap(sorted);
  listedValid_ = true;
  if (moved) edited();
}

void Graph::addOutput(Node* n) {
  MNEMO_CHECK(find(n->name()) == n, "returned value is not in the graph");
  outputs_.push_back(n);
  edited();
}

bool Graph::isOutput(const Node* n) const {
  return std::find(outputs_.begin(), outputs_.end(), n) != outputs_.end();
}

Node* Graph::find(const std::string& name) const {
  size_t number;
  bool plain = plainNumber(name, &number);
  if (plain && number < byNumber_.size() && byNumber_[number] != nullptr) return byNumber_[number];
  if (plain && numbersInMap_ == 0) return nullptr;
  auto it = byName_.find(name);
  return it == byName_.end() ? nullptr : it->second;
}

// Each entry names a live node of this graph under its own name, and there are as many entries
// as nodes: since the keys differ, the entries name distinct nodes, hence every node.
bool Graph::namesConsistent() const {
  if (byName_.size() + numbered_ != count_) return false;
  size_t seen = 0;
  for (size_t k = 0; k < byNumber_.size(); ++k) {
    const Node* n = byNumber_[k];
    if (n == nullptr) continue;
    ++seen;
    size_t number;
    if (!holds(n) || !plainNumber(n->name_, &number) || number != k) return false;
  }
  if (seen != numbered_) return false;
  size_t number;
  for (const auto& [name, n] : byName_) {
    if (!holds(n) || n->name_ != name) return false;
    // The same name in both tables would let one node be counted twice.
    if (plainNumber(name, &number) && number < byNumber_.size() && byNumber_[number] != nullptr) return false;
  }
  return true;
}

void checkGraphMemory(const Graph& g, size_t bytesPerElement, const std::string& what) {
  size_t elements = 0;
  for (const Node* n : g.nodes()) elements += static_cast<size_t>(n->type().numel());
  checkMemoryBudget(elements * bytesPerElement, what);
}

}  // namespace mnemo
