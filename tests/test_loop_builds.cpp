// mnemo's own loops built for each instruction set (reduce_sum's column sums, softmax_xent and
// its gradient): every build the CPU can run gives the generic build's bits, on shapes that hit
// the narrow few-column form, whole and partial column blocks, odd row counts and several row
// blocks of the loss; and the generic build is right against a double-precision sum.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "runtime/kernels/exp_of.h"
#include "runtime/kernels/kernel.h"

using namespace mnemo;

namespace {

std::vector<float> uniformValues(size_t n, unsigned seed, float scale) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-scale, scale);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

bool sameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("column sums: every build gives the generic build's bits, close to a double sum", "[runtime][reduce]") {
  const std::vector<std::pair<size_t, size_t>> shapes = {{1600, 3}, {1584, 64}, {1001, 100}, {7, 5},  {33, 1},
                                                         {16, 4},   {15, 2},    {1, 64},     {3, 130}, {2, 33}};
  for (const auto& [rows, cols] : shapes) {
    std::vector<float> src = uniformValues(rows * cols, static_cast<unsigned>(rows * 131 + cols), 1.f);
    std::vector<float> generic(cols);
    columnSumsWith("generic", src.data(), generic.data(), rows, cols);
    for (size_t j = 0; j < cols; ++j) {
      double want = 0;
      for (size_t r = 0; r < rows; ++r) want += src[r * cols + j];
      INFO(rows << "x" << cols << " column " << j);
      CHECK(generic[j] == Approx(want).margin(1e-5 * static_cast<double>(rows)));
    }
    for (const char* build : expSpanBuilds()) {
      std::vector<float> got(cols);
      columnSumsWith(build, src.data(), got.data(), rows, cols);
      INFO(rows << "x" << cols << " build " << build);
      CHECK(sameBits(got, generic));
    }
  }
}

TEST_CASE("softmax_xent and its gradient: every build gives the generic build's bits", "[runtime][loss]") {
  for (const auto& [rows, classes] : std::vector<std::pair<size_t, size_t>>{{1600, 3}, {777, 2}, {50, 4}, {129, 17}, {9, 1}}) {
    std::vector<float> logits = uniformValues(rows * classes, static_cast<unsigned>(rows + classes), 4.f);
    std::vector<int64_t> labels(rows);
    for (size_t r = 0; r < rows; ++r) labels[r] = static_cast<int64_t>((r * 7 + 3) % classes);
    std::vector<float> rowsGeneric(rows), gradGeneric(rows * classes);
    const float lossGeneric = softmaxXentWith("generic", logits.data(), labels.data(), rows, classes, rowsGeneric.data());
    softmaxXentGradWith("generic", logits.data(), labels.data(), rows, classes, 1.f, gradGeneric.data());
    // The generic build against the formula in double, row by row.
    double meanWant = 0;
    for (size_t r = 0; r < rows; ++r) {
      const float* z = logits.data() + r * classes;
      double mx = z[0], sum = 0;
      for (size_t c = 1; c < classes; ++c) mx = std::max(mx, static_cast<double>(z[c]));
      for (size_t c = 0; c < classes; ++c) sum += std::exp(z[c] - mx);
      const double lossRow = mx + std::log(sum) - z[labels[r]];
      meanWant += lossRow / static_cast<double>(rows);
      INFO(rows << "x" << classes << " row " << r);
      CHECK(rowsGeneric[r] == Approx(lossRow).margin(1e-5));
      for (size_t c = 0; c < classes; ++c) {
        const double p = std::exp(z[c] - mx) / sum - (static_cast<int64_t>(c) == labels[r] ? 1.0 : 0.0);
        CHECK(gradGeneric[r * classes + c] == Approx(p / static_cast<double>(rows)).margin(1e-6 / static_cast<double>(rows)));
      }
    }
    CHECK(lossGeneric == Approx(meanWant).margin(1e-5));
    for (const char* build : expSpanBuilds()) {
      std::vector<float> rowLoss(rows), grad(rows * classes);
      const float loss = softmaxXentWith(build, logits.data(), labels.data(), rows, classes, rowLoss.data());
      softmaxXentGradWith(build, logits.data(), labels.data(), rows, classes, 1.f, grad.data());
      INFO(rows << "x" << classes << " build " << build);
      CHECK(std::memcmp(&loss, &lossGeneric, sizeof(float)) == 0);
      CHECK(sameBits(rowLoss, rowsGeneric));
      CHECK(sameBits(grad, gradGeneric));
    }
  }
}

TEST_CASE("softmax_xent names the first bad label of a block, whatever the build", "[runtime][loss]") {
  std::vector<float> logits(30, 0.5f), rowLoss(10);
  std::vector<int64_t> labels(10, 1);
  labels[6] = 3;
  labels[8] = -1;
  for (const char* build : expSpanBuilds())
    CHECK_THROWS_WITH(softmaxXentWith(build, logits.data(), labels.data(), 10, 3, rowLoss.data()),
                      "label 3 at position 6 is not a class in [0,3)");
}
