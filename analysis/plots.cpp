// pcaFigure and psychometricFigure (see analysis/plots.h).
#include "analysis/plots.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace mnemo {

namespace {

constexpr const char* kRed = "#d62728";
constexpr const char* kBlue = "#1f77b4";

std::string percent(double ratio) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * ratio);
  return buf;
}

/// Appends one trial's projected path to \p s, then a NaN so the next trial starts a new line.
void appendPath(Series& s, const std::vector<double>& projected, size_t k, int64_t start, int length) {
  for (int t = 0; t < length; ++t) {
    const size_t row = static_cast<size_t>(start + t);
    s.x.push_back(projected[row * k]);
    s.y.push_back(projected[row * k + 1]);
  }
  s.x.push_back(std::nan(""));
  s.y.push_back(std::nan(""));
}

}  // namespace

Figure pcaFigure(const AnalysisRun& run, const Pca& pca, const std::vector<double>& projected) {
  const size_t k = pca.components.size();
  Figure fig;
  fig.width = 1000;
  fig.height = 460;
  fig.columns = 2;
  fig.title = "Hidden-state trajectories in PC space (" + run.taskName + ", PC1 " +
              percent(pca.explainedVarianceRatio.at(0)) + ", PC2 " + percent(pca.explainedVarianceRatio.at(1)) +
              " of variance)";
  const std::vector<int64_t> starts = run.trialStarts();
  const size_t shown = std::min<size_t>(3, run.trials.size());

  double xlo = std::numeric_limits<double>::infinity(), xhi = -xlo, ylo = xlo, yhi = -xlo;
  for (size_t r = 0; r * k < projected.size(); ++r) {
    xlo = std::min(xlo, projected[r * k]);
    xhi = std::max(xhi, projected[r * k]);
    ylo = std::min(ylo, projected[r * k + 1]);
    yhi = std::max(yhi, projected[r * k + 1]);
  }
  const double padX = 0.05 * std::max(xhi - xlo, 1e-9), padY = 0.05 * std::max(yhi - ylo, 1e-9);

  for (size_t count : {run.trials.size(), shown}) {
    Panel p;
    p.title = std::to_string(count) + (count == 1 ? " trial" : " trials");
    p.xlabel = "PC 1";
    p.ylabel = "PC 2";
    p.xmin = xlo - padX;
    p.xmax = xhi + padX;
    p.ymin = ylo - padY;
    p.ymax = yhi + 5 * padY;  // headroom for the legend
    Series first, second, begin;
    first.label = "ground truth 1 (first larger)";
    second.label = "ground truth 2 (second larger)";
    begin.label = "trial start";
    first.color = kRed;
    second.color = kBlue;
    begin.color = "black";
    for (Series* s : {&first, &second}) {
      s->style = SeriesStyle::LineMarkers;
      s->lineWidth = 1;
      s->markerRadius = 1.8;
      s->opacity = count > 10 ? 0.45 : 0.9;
    }
    begin.style = SeriesStyle::Markers;
    begin.markerRadius = 3.5;
    for (size_t i = 0; i < count; ++i) {
      const TrialRecord& r = run.trials[i];
      appendPath(r.trial.info.groundTruth == 1 ? first : second, projected, k, starts[i], r.trial.length());
      begin.x.push_back(projected[static_cast<size_t>(starts[i]) * k]);
      begin.y.push_back(projected[static_cast<size_t>(starts[i]) * k + 1]);
    }
    p.series = {first, second, begin};
    fig.panels.push_back(std::move(p));
  }
  return fig;
}

Figure psychometricFigure(const Psychometrics& ps) {
  Figure fig;
  fig.width = 1000;
  fig.height = 420;
  fig.columns = 2;
  fig.title = "Behaviour over " + std::to_string(ps.trials) + " trials (" + percent(ps.accuracy()) + " correct)";

  Panel byPair;
  byPair.title = "Percent correct for each (f1, f2) pair";
  byPair.xlabel = "f1 (first stimulus)";
  byPair.ylabel = "% correct";
  byPair.ymin = 0;
  byPair.ymax = 135;  // headroom for the legend
  byPair.yticks = {0, 25, 50, 75, 100};
  Series larger, smaller, chance;
  larger.label = "f1 > f2 (ground truth 1)";
  smaller.label = "f1 < f2 (ground truth 2)";
  chance.label = "chance";
  larger.color = kRed;
  smaller.color = kBlue;
  chance.color = "#7f7f7f";
  larger.style = smaller.style = SeriesStyle::LineMarkers;
  larger.markerRadius = smaller.markerRadius = 4;
  chance.dashed = true;
  chance.lineWidth = 1;
  double fmin = std::numeric_limits<double>::infinity(), fmax = -fmin;
  for (const PairStats& s : ps.pairs) {
    Series& target = s.f1 > s.f2 ? larger : smaller;
    target.x.push_back(s.f1);
    target.y.push_back(s.percentCorrect());
    fmin = std::min(fmin, s.f1);
    fmax = std::max(fmax, s.f1);
  }
  if (!ps.pairs.empty()) {
    const double pad = std::max(1.0, 0.08 * (fmax - fmin));
    byPair.xmin = fmin - pad;
    byPair.xmax = fmax + pad;
    chance.x = {fmin - pad, fmax + pad};
    chance.y = {50, 50};
  }
  byPair.series = {larger, smaller, chance};

  Panel curve;
  curve.title = "Psychometric: P(choice \"first larger\")";
  curve.xlabel = "f1 - f2";
  curve.ylabel = "P(choice \"first larger\")";
  curve.ymin = -0.05;
  curve.ymax = 1.35;  // headroom for the legend
  curve.yticks = {0, 0.25, 0.5, 0.75, 1};
  Series pairs, pooled, half;
  pairs.label = "each (f1, f2) pair";
  pooled.label = "all pairs";
  half.label = "P = 0.5";
  pairs.color = "#9467bd";
  pooled.color = "black";
  half.color = "#7f7f7f";
  pairs.style = SeriesStyle::Markers;
  pairs.markerRadius = 4;
  pairs.opacity = 0.6;
  pooled.style = SeriesStyle::LineMarkers;
  half.dashed = true;
  half.lineWidth = 1;
  for (const PairStats& s : ps.pairs) {
    pairs.x.push_back(s.f1 - s.f2);
    pairs.y.push_back(s.pFirst());
  }
  for (const DifferenceStats& d : ps.differences) {
    pooled.x.push_back(d.difference);
    pooled.y.push_back(d.pFirst());
  }
  if (!ps.differences.empty()) {
    const double lo = ps.differences.front().difference, hi = ps.differences.back().difference;
    const double pad = std::max(1.0, 0.1 * (hi - lo));
    curve.xmin = lo - pad;
    curve.xmax = hi + pad;
    half.x = {lo - pad, hi + pad};
    half.y = {0.5, 0.5};
  }
  curve.series = {pairs, pooled, half};
  fig.panels = {byPair, curve};
  return fig;
}

}  // namespace mnemo
