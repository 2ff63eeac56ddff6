#include "training/training_report.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "support/error.h"
#include "io/svg.h"
#include "support/text.h"

namespace mnemo {

double trailingMean(const std::vector<double>& values, size_t window) {
  double sum = 0;
  size_t n = 0;
  for (size_t i = values.size() > window ? values.size() - window : 0; i < values.size(); ++i)
    if (!std::isnan(values[i])) sum += values[i], ++n;
  return n ? sum / static_cast<double>(n) : std::nan("");
}

void checkExistingRun(const std::string& dir, const ExistingRun& existing) {
  if (dir.empty() || existing.overwrite) return;
  namespace fs = std::filesystem;
  const fs::path checkpoint = fs::path(dir) / "checkpoint.npz";
  std::error_code ec;
  if (!existing.resumedFrom.empty() && fs::equivalent(existing.resumedFrom, checkpoint, ec)) return;
  std::string found;
  for (const char* name : {"checkpoint.npz", "config.json", "metrics.csv", "training.svg"}) {
    if (!fs::exists(fs::path(dir) / name, ec)) continue;
    std::string item = name;
    if (item == "checkpoint.npz") {  // its step says how much would be lost; a damaged one is still a run
      try {
        item += " at step " + std::to_string(loadCheckpoint(checkpoint.string()).step);
      } catch (const Error&) {
      }
    }
    found += (found.empty() ? "" : ", ") + item;
  }
  if (found.empty()) return;
  MNEMO_FAIL("run directory " << dir << " already holds a run (" << found << "); "
                              << (existing.advice.empty() ? "resume it with --init " + checkpoint.string() +
                                                                ", choose another --out, or give --overwrite to replace it"
                                                          : existing.advice));
}

RunDirectory::RunDirectory(std::string dir, const ExistingRun& existing) : dir_(std::move(dir)) {
  if (dir_.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) MNEMO_FAIL("cannot create run directory " << dir_ << ": " << ec.message());
  lock_ = std::make_unique<RunDirectoryLock>(dir_);
  checkExistingRun(dir_, existing);  // under the lock: no other run can finish there after this
}

size_t RunDirectory::continueFrom(int64_t step) {
  if (dir_.empty()) return 0;
  std::ifstream in(dir_ + "/metrics.csv");
  std::string line;
  if (!in || !std::getline(in, line)) return 0;  // no earlier metrics here
  while (std::getline(in, line)) {
    long long s;
    double loss, acc, runningLoss, runningAcc;
    if (std::sscanf(line.c_str(), "%lld,%lf,%lf,%lf,%lf", &s, &loss, &acc, &runningLoss, &runningAcc) != 5) continue;
    if (s > step) break;
    recordStep(s, loss, acc, runningLoss, runningAcc);
  }
  return steps_.size();
}

void RunDirectory::recordStep(int64_t step, double loss, double accuracy, double runningLoss, double runningAccuracy) {
  steps_.push_back(step);
  loss_.push_back(loss);
  accuracy_.push_back(accuracy);
  runningLoss_.push_back(runningLoss);
  runningAccuracy_.push_back(runningAccuracy);
}

void RunDirectory::writeMetrics() const {
  std::ostringstream csv;
  csv << "step,loss,accuracy,running_loss,running_accuracy\n";
  char line[160];
  for (size_t i = 0; i < steps_.size(); ++i) {
    std::snprintf(line, sizeof line, "%lld,%.6g,%.6g,%.6g,%.6g\n", static_cast<long long>(steps_[i]), loss_[i],
                  accuracy_[i], runningLoss_[i], runningAccuracy_[i]);
    csv << line;
  }
  writeFileAtomic(dir_ + "/metrics.csv", csv.str());
}

void RunDirectory::saveCheckpoint(const Checkpoint& ckpt) {
  if (dir_.empty()) return;
  // Metrics first: a kill between the two writes leaves metrics ahead of the checkpoint, and a
  // resume from it drops the extra rows (continueFrom) instead of leaving a gap.
  writeMetrics();
  mnemo::saveCheckpoint(checkpointPath(), ckpt);
  writeFileAtomic(dir_ + "/config.json", ckpt.config.toJson());
  lastCheckpoint_ = ckpt.step;
}

void RunDirectory::finish() {
  if (dir_.empty()) return;
  writeMetrics();
  std::vector<double> x(steps_.begin(), steps_.end());
  Panel lossPanel, accPanel;
  lossPanel.title = "loss";
  lossPanel.xlabel = accPanel.xlabel = "step";
  // A run on continuous targets (mean squared error) has no accuracy: its figure is the loss alone.
  const bool anyAccuracy = std::any_of(accuracy_.begin(), accuracy_.end(), [](double a) { return !std::isnan(a); });
  lossPanel.ylabel = anyAccuracy ? "cross-entropy" : "loss";
  lossPanel.series.push_back({x, loss_, "per step", "#c6dbef", SeriesStyle::Line, 1.0});
  lossPanel.series.push_back({x, runningLoss_, "mean of last 100", "#08519c"});
  accPanel.title = "decision accuracy (label > 0)";
  accPanel.ylabel = "accuracy";
  accPanel.ymin = 0, accPanel.ymax = 1;
  accPanel.series.push_back({x, accuracy_, "per step", "#fdd0a2", SeriesStyle::Line, 1.0});
  accPanel.series.push_back({x, runningAccuracy_, "mean of last 100", "#a63603"});
  Figure fig;
  fig.width = 900, fig.height = 380, fig.columns = 2;
  fig.title = steps_.empty() ? "mnemo train"
                             : "mnemo train: steps " + std::to_string(steps_.front()) + "-" + std::to_string(steps_.back());
  fig.panels = {lossPanel, accPanel};
  if (!anyAccuracy) fig.panels = {lossPanel}, fig.columns = 1, fig.width = 480;
  writeSvg(dir_ + "/training.svg", fig);
}

std::string RunDirectory::describe() const {
  return dir_ + "/{checkpoint.npz, config.json, metrics.csv, training.svg}";
}

namespace {
double nowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

ProgressLine::ProgressLine(bool wanted, int64_t total)
    : active_(wanted && isatty(STDERR_FILENO)), total_(total), startSeconds_(nowSeconds()) {}

void ProgressLine::update(int64_t done, double loss, double accuracy) {
  if (!active_) return;
  double now = nowSeconds();
  if (done != total_ && now - lastDraw_ < 0.1) return;  // redraw at most 10 times a second
  lastDraw_ = now;
  const int width = 30;
  int filled = static_cast<int>(width * done / std::max<int64_t>(total_, 1));
  double elapsed = now - startSeconds_;
  double eta = done ? elapsed * static_cast<double>(total_ - done) / static_cast<double>(done) : 0;
  char acc[32] = "";
  if (!std::isnan(accuracy)) std::snprintf(acc, sizeof acc, "  acc %.3f", accuracy);  // none for continuous targets
  std::fprintf(stderr, "\r[%.*s%*s] %lld/%lld  loss %.4f%s  %.1fs elapsed, %.1fs left ", filled,
               "##############################", width - filled, "", static_cast<long long>(done),
               static_cast<long long>(total_), loss, acc, elapsed, eta);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressLine::clear() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace mnemo
