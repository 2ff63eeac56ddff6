// fixedPointFigure (see analysis/fixed_point_plot.h).
#include "analysis/fixed_point_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "analysis/plots.h"

namespace mnemo {

Figure fixedPointFigure(const AnalysisRun& run, const Pca& pca, const std::vector<double>& projected,
                        const FixedPointSearch& search) {
  Figure fig = pcaFigure(run, pca, projected);
  char title[200];
  std::snprintf(title, sizeof title, "Fixed points over the state trajectories in PC space (%s): %zu points, %lld stable",
                run.taskName.c_str(), search.points.size(),
                static_cast<long long>(std::count_if(search.points.begin(), search.points.end(),
                                                     [](const FixedPoint& p) { return p.stable(); })));
  fig.title = title;

  Series stable, unstable, directions;
  stable.label = "stable fixed point";
  unstable.label = "unstable fixed point";
  directions.label = "leading unstable direction";
  stable.style = unstable.style = SeriesStyle::Markers;
  stable.color = unstable.color = directions.color = "black";
  stable.markerRadius = unstable.markerRadius = 5;
  unstable.hollow = true;
  directions.lineWidth = 2;
  const Panel& first = fig.panels.front();
  const double length = 0.08 * (*first.xmax - *first.xmin);
  for (const FixedPoint& p : search.points) {
    const std::vector<double> at = pca.transform(p.state.data(), 1);
    (p.stable() ? stable : unstable).x.push_back(at[0]);
    (p.stable() ? stable : unstable).y.push_back(at[1]);
    if (p.leadingDirection.empty()) continue;
    double dx = 0, dy = 0;  // the unit direction's projection onto PC1 and PC2 (no centring)
    for (size_t i = 0; i < p.leadingDirection.size(); ++i) {
      dx += pca.components[0][i] * p.leadingDirection[i];
      dy += pca.components[1][i] * p.leadingDirection[i];
    }
    directions.x.insert(directions.x.end(), {at[0] - length * dx, at[0] + length * dx, std::nan("")});
    directions.y.insert(directions.y.end(), {at[1] - length * dy, at[1] + length * dy, std::nan("")});
  }
  for (Panel& panel : fig.panels) {
    // Widen the limits so every point shows, even one far from the trajectories.
    for (const Series* s : {&stable, &unstable})
      for (size_t i = 0; i < s->x.size(); ++i) {
        panel.xmin = std::min(*panel.xmin, s->x[i] - length);
        panel.xmax = std::max(*panel.xmax, s->x[i] + length);
        panel.ymin = std::min(*panel.ymin, s->y[i] - length);
        panel.ymax = std::max(*panel.ymax, s->y[i] + length);
      }
    for (const Series* s : {&directions, &stable, &unstable})
      if (!s->x.empty()) panel.series.push_back(*s);  // the legend names only what is drawn
  }
  return fig;
}

}  // namespace mnemo
