#include <chrono>
#include "runtime/executable.h"

#include <cstdlib>
#include <cstring>
#include <omp.h>
#include <sstream>

#include "support/error.h"
#include "support/limits.h"
#include "ops/op_table.h"
#include "runtime/kernels/kernel.h"

namespace mnemo {

namespace {

constexpr size_t kAlign = 64;
size_t alignUp(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

std::unique_ptr<char, void (*)(void*)> alignedBlock(size_t bytes) {
  void* p = std::aligned_alloc(kAlign, alignUp(std::max<size_t>(bytes, kAlign)));
  MNEMO_CHECK(p, "out of memory allocating " << bytes << " bytes");
  std::memset(p, 0, alignUp(std::max<size_t>(bytes, kAlign)));
  return {static_cast<char*>(p), std::free};
}

std::unique_ptr<Kernel> makeKernel(const Node& n, KernelEnv& env) {
  switch (opInfo(n.kind()).category) {
    case Category::Contraction: return makeMatmulKernel(n, env);
    case Category::Elementwise:
      return opInfo(n.kind()).hasFlag(kBroadcast) ? makeBinaryKernel(n, env) : makeUnaryKernel(n, env);
    case Category::Shape: return makeShapeKernel(n, env);
    case Category::Reduction: return makeReduceKernel(n, env);
    case Category::Loss: return makeLossKernel(n, env);
    case Category::Optimizer: return n.kind() == OpKind::SgdUpdate ? makeSgdKernel(n, env) : makeAdamKernel(n, env);
    case Category::Fused:
      if (!isMatmulRegion(n)) return makeFusedLoopKernel(n, env);
      return isMicroMatmulRegion(n) ? makeMicroMatmulKernel(n, env) : makeFusedMatmulKernel(n, env);
    case Category::Random: return makeRandomKernel(n, env);
    case Category::Leaf: break;
  }
  MNEMO_FAIL("no kernel for op '" << opName(n.kind()) << "'");
}

/// makeKernel, with what oneDNN or the standard library throw while lowering reported as an
/// internal error naming the node: the passes only build what the runtime can lower, so such a
/// failure is a bug in mnemo, never the user's.
std::unique_ptr<Kernel> lowerNode(const Node& n, KernelEnv& env) {
  try {
    return makeKernel(n, env);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    MNEMO_FAIL("internal error: lowering %" << n.name() << " (" << opName(n.kind()) << ") failed: " << e.what()
                                             << " (a bug in mnemo: please report it with this model)");
  }
}

}  // namespace

struct Executable::Dnnl {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};

Executable::~Executable() = default;

Executable::Executable(const Graph& g, const CompileOptions& opts)
    : g_(g), dnnl_(std::make_unique<Dnnl>()) {
  checkCount(opts.threads, limits::kMaxThreads, "the thread count");
  threads_ = opts.threads;
  omp_set_num_threads(threads_);

  // Leaves get persistent storage; constants are filled now.
  std::vector<const Node*> order;
  std::unordered_map<const Node*, size_t> leafOffset;
  for (const Node* n : g.nodes()) {
    if (n->isLeaf()) {
      leafOffset[n] = persistentBytes_;
      persistentBytes_ += alignUp(valueBytes(n->type()));
    } else {
      order.push_back(n);
    }
  }
  // Plan first, so the whole footprint is checked against the memory limit before any of it is
  // allocated.
  plan_ = planMemory(g, order);
  checkPlannedMemory(g, persistentBytes_, plan_);
  persistent_ = alignedBlock(persistentBytes_);
  for (auto& [n, offset] : leafOffset) {
    leafAddress_[n] = persistent_.get() + offset;
    if (n->kind() == OpKind::Constant) {
      float v = static_cast<float>(n->attr<double>("value"));
      float* p = reinterpret_cast<float*>(leafAddress_[n]);
      std::fill(p, p + n->type().numel(), v);
    }
  }

  arena_ = alignedBlock(plan_.arenaBytes);

  KernelEnv env{dnnl_->engine, dnnl_->stream, [this](const Node* n) { return address(n); }};
  for (const Node* n : order) {
    if (plan_.noKernel.count(n)) continue;
    kernels_.push_back(lowerNode(*n, env));
    stageEnd_[static_cast<int>(n->stage())] = kernels_.size();
  }
  for (int s = 1; s < 3; ++s) stageEnd_[s] = std::max(stageEnd_[s], stageEnd_[s - 1]);
}

char* Executable::address(const Node* n) const {
  auto leaf = leafAddress_.find(n);
  if (leaf != leafAddress_.end()) return leaf->second;
  auto p = plan_.placement.find(n);
  MNEMO_CHECK(p != plan_.placement.end(), "%" << n->name() << " has no storage");
  const Node* base = p->second.base;
  char* baseAddress = base->isLeaf() ? leafAddress_.at(base) : arena_.get() + plan_.arenaOffset.at(base);
  return baseAddress + p->second.offset;
}

void Executable::runKernels(size_t begin, size_t end) {
  omp_set_num_threads(threads_);  // the count is process-wide: another executable may have changed it
  if (!profile_) {
    for (size_t i = begin; i < end; ++i) kernels_[i]->run();
  } else {
    using Clock = std::chrono::steady_clock;
    for (size_t i = begin; i < end; ++i) {
      const auto start = Clock::now();
      kernels_[i]->run();
      (*profile_)[i] += std::chrono::duration<double>(Clock::now() - start).count();
    }
  }
  dnnl_->stream.wait();
}

void Executable::run(Stage last) { runKernels(0, stageEnd_[static_cast<int>(last)]); }

void Executable::runStage(Stage s) {
  const int i = static_cast<int>(s);
  runKernels(i ? stageEnd_[i - 1] : 0, stageEnd_[i]);
}

void Executable::setProfile(std::vector<double>* secondsPerKernel) {
  MNEMO_CHECK(!secondsPerKernel || secondsPerKernel->size() == kernels_.size(),
              "a kernel profile needs " << kernels_.size() << " entries, got " << secondsPerKernel->size());
  profile_ = secondsPerKernel;
}

size_t Executable::kernelCount(Stage last) const { return stageEnd_[static_cast<int>(last)]; }

std::string Executable::describe() const {
  std::ostringstream os;
  for (const auto& k : kernels_)
    os << stageName(k->node->stage()) << "  %" << k->node->name() << " = " << opName(k->node->kind()) << "  ["
       << k->impl() << "]\n";
  return os.str();
}

}  // namespace mnemo
