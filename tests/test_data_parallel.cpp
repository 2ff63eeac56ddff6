// The pieces of data-parallel training that one process can check (the mpirun comparison is
// tests/mpi/check_data_parallel.sh): a step split into computeGradients + applyUpdate is the
// same step bit for bit; after computeGradients the grad values hold the gradient the
// optimizer receives (Adam with beta1 = 0 makes its first moment that gradient exactly);
// shards are the batch's columns; and two half-batch sessions with averaged gradients track a
// full-batch session within float32 summation error.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "training/compiled_model.h"
#include "training/data_parallel.h"
#include "frontend/init.h"
#include "support/error.h"
#include "graph/graph.h"

using namespace mnemo;

namespace {

CompiledModel compileNotebook(int64_t batch, bool fuse) {
  ModelOptions opts;
  opts.batch = batch;
  opts.seqLen = 12;
  opts.sizeOverrides = {{"H", 16}, {"I", 3}, {"O", 3}};
  CompiledModel cm = compileModel(notebookModelSource(), kNotebookModelFile, opts, CompileSettings{true, fuse, 1, "adam"});
  for (auto& [name, values] : initParams(cm.graph(), 7)) cm.session->setF32(name, values);
  cm.session->setAdam(1e-2);
  return cm;
}

/// A deterministic batch: inputs [T, B, 3], labels [T, B] in [0, 3).
void makeBatch(int64_t T, int64_t B, int step, std::vector<float>& x, std::vector<int64_t>& y) {
  x.resize(static_cast<size_t>(T * B * 3));
  y.resize(static_cast<size_t>(T * B));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(std::sin(0.37 * static_cast<double>(i) + step));
  for (size_t i = 0; i < y.size(); ++i) y[i] = static_cast<int64_t>((i * 7 + static_cast<size_t>(step)) % 3);
}

std::vector<float> gradient(Session& s, const std::string& param) {
  const Node* g = s.graph().gradientOf(s.graph().find(param));
  REQUIRE(g);
  const float* p = reinterpret_cast<const float*>(s.executable().address(g));
  return std::vector<float>(p, p + g->type().numel());
}

}  // namespace

TEST_CASE("data parallel: computeGradients + applyUpdate is trainStep bit for bit", "[data-parallel]") {
  for (bool fuse : {true, false}) {
    CompiledModel a = compileNotebook(8, fuse), b = compileNotebook(8, fuse);
    std::vector<float> x;
    std::vector<int64_t> y;
    for (int step = 0; step < 3; ++step) {
      makeBatch(12, 8, step, x, y);
      for (CompiledModel* cm : {&a, &b}) cm->session->setF32(cm->model.input, x), cm->session->setI64(cm->model.labels, y);
      const float lossA = a.session->trainStep();
      const float lossB = b.session->computeGradients();
      b.session->applyUpdate();
      CHECK(lossA == lossB);
    }
    CHECK(a.session->step() == 3);
    CHECK(b.session->step() == 3);
    for (const std::string& p : a.model.params) CHECK(a.session->getF32(p) == b.session->getF32(p));
  }
}

TEST_CASE("data parallel: after computeGradients each grad value is the gradient Adam receives", "[data-parallel]") {
  for (bool fuse : {true, false}) {
    CompiledModel cm = compileNotebook(4, fuse);
    Session& s = *cm.session;
    s.setAdam(1e-3, /*beta1=*/0.0);  // then m = g exactly after the step
    std::vector<float> x;
    std::vector<int64_t> y;
    makeBatch(12, 4, 0, x, y);
    s.setF32(cm.model.input, x);
    s.setI64(cm.model.labels, y);
    s.computeGradients();
    std::map<std::string, std::vector<float>> grads;
    for (const std::string& p : cm.model.params) grads[p] = gradient(s, p);
    s.applyUpdate();
    for (const std::string& p : cm.model.params) {
      INFO((fuse ? "fused " : "unfused ") << p);
      CHECK(grads[p] == s.getF32(p + ".m"));
      CHECK(std::any_of(grads[p].begin(), grads[p].end(), [](float v) { return v != 0; }));
    }
  }
}

TEST_CASE("data parallel: shards are the batch's columns and a batch must split evenly", "[data-parallel]") {
  const int64_t T = 3, B = 6, I = 2;
  std::vector<float> x(static_cast<size_t>(T * B * I));
  std::vector<int64_t> y(static_cast<size_t>(T * B));
  std::iota(x.begin(), x.end(), 0.f);
  std::iota(y.begin(), y.end(), 0);
  DataParallel second(3, 1, B);
  CHECK(second.shardBatch() == 2);
  // Rank 1 of 3 holds columns 2 and 3 of every time step.
  CHECK(second.shardInputs(x, T, I) == std::vector<float>{4, 5, 6, 7, 16, 17, 18, 19, 28, 29, 30, 31});
  CHECK(second.shardLabels(y, T) == std::vector<int64_t>{2, 3, 8, 9, 14, 15});
  CHECK_THROWS_WITH(DataParallel(4, 0, 6), "--batch 6 does not split over 4 MPI ranks; give a multiple of 4");
}

TEST_CASE("data parallel: two half batches with averaged gradients track the full batch", "[data-parallel]") {
  const int64_t T = 12, B = 8;
  CompiledModel full = compileNotebook(B, true);
  CompiledModel half[2] = {compileNotebook(B / 2, true), compileNotebook(B / 2, true)};
  DataParallel shard[2] = {DataParallel(2, 0, B), DataParallel(2, 1, B)};
  std::vector<float> x;
  std::vector<int64_t> y;
  for (int step = 0; step < 20; ++step) {
    makeBatch(T, B, step, x, y);
    full.session->setF32(full.model.input, x);
    full.session->setI64(full.model.labels, y);
    const float fullLoss = full.session->trainStep();
    float loss = 0;
    for (int r = 0; r < 2; ++r) {
      half[r].session->setF32(half[r].model.input, shard[r].shardInputs(x, T, 3));
      half[r].session->setI64(half[r].model.labels, shard[r].shardLabels(y, T));
      loss += half[r].session->computeGradients() / 2;
    }
    for (const std::string& p : full.model.params) {  // what MPI_Allreduce and the 1/N do
      std::vector<float> g0 = gradient(*half[0].session, p), g1 = gradient(*half[1].session, p);
      for (int r = 0; r < 2; ++r) {
        const Node* g = half[r].session->graph().gradientOf(half[r].session->graph().find(p));
        float* dst = reinterpret_cast<float*>(half[r].session->executable().address(g));
        for (size_t i = 0; i < g0.size(); ++i) dst[i] = (g0[i] + g1[i]) * 0.5f;
      }
    }
    for (CompiledModel& h : half) h.session->applyUpdate();
    CHECK(std::fabs(loss - fullLoss) <= 1e-5f * std::fabs(fullLoss));
  }
  double worst = 0;
  for (const std::string& p : full.model.params) {
    std::vector<float> a = full.session->getF32(p), b0 = half[0].session->getF32(p), b1 = half[1].session->getF32(p);
    CHECK(b0 == b1);  // the same update on both halves
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(static_cast<double>(a[i]) - b0[i]));
  }
  INFO("max |half batches - full batch| after 20 steps: " << worst);
  CHECK(worst <= 1e-5);
}
