// plotTrials (see trial_plot.h).
#include "tasks/trial_plot.h"

#include <algorithm>

namespace mnemo {

namespace {

// Light, distinct fills for period shading, chosen by the period's index in the task.
const char* periodColor(size_t i) {
  static const char* colors[] = {"#9e9e9e", "#1f77b4", "#ffbf00", "#2ca02c", "#d62728",
                                 "#9467bd", "#8c564b", "#17becf"};
  return colors[i % 8];
}

}  // namespace

Figure plotTrials(const Task& task, const std::vector<Trial>& trials, const std::string& title) {
  const double dt = task.dt();
  int totalSteps = 0;
  for (const Trial& t : trials) totalSteps += t.length();

  std::vector<Span> spans;
  std::vector<double> boundaries;
  int offset = 0;
  for (const Trial& t : trials) {
    for (const PeriodSpan& p : t.info.periods) {
      if (p.length() == 0) continue;
      size_t idx = static_cast<size_t>(
          std::find(task.periodNames().begin(), task.periodNames().end(), p.name) -
          task.periodNames().begin());
      Span s;
      s.x0 = (offset + p.start) * dt;
      s.x1 = (offset + p.end) * dt;
      s.label = p.name;
      s.color = periodColor(idx);
      s.opacity = 0.14;
      spans.push_back(s);
    }
    offset += t.length();
    boundaries.push_back(offset * dt);
  }
  if (!boundaries.empty()) boundaries.pop_back();

  Figure fig;
  fig.title = title.empty() ? task.name() + ": " + std::to_string(trials.size()) + " trial" +
                                  (trials.size() == 1 ? "" : "s")
                            : title;
  fig.width = std::max(800.0, 80.0 + 9.0 * totalSteps);
  const int channels = task.obsSize();
  fig.height = 60 + 170.0 * (channels + 1);

  auto basePanel = [&](const std::string& name) {
    Panel p;
    p.title = name;
    p.spans = spans;
    p.vlines = boundaries;
    p.xmin = 0;
    p.xmax = std::max(1, totalSteps) * dt;
    p.legend = false;
    return p;
  };
  for (int c = 0; c < channels; ++c) {
    Panel p = basePanel("observation: " + task.obsNames()[static_cast<size_t>(c)]);
    p.ylabel = "input " + std::to_string(c);
    Series s;
    s.style = SeriesStyle::Steps;
    s.color = paletteColor(static_cast<size_t>(c));
    int off = 0;
    for (const Trial& t : trials) {
      for (int k = 0; k < t.length(); ++k) {
        s.x.push_back((off + k) * dt);
        s.y.push_back(t.input(k, c));
      }
      off += t.length();
    }
    p.series.push_back(std::move(s));
    fig.panels.push_back(std::move(p));
  }
  if (task.targetSize() > 0) {
    // Continuous targets: one line per target value (the labels are all 0).
    std::string names;
    for (int k = 0; k < task.targetSize(); ++k) names += (k ? ", " : "") + task.actionNames()[static_cast<size_t>(k)];
    Panel g = basePanel("target (" + names + ")");
    g.xlabel = "time (ms)";
    g.ylabel = "target";
    g.legend = true;
    for (int k = 0; k < task.targetSize(); ++k) {
      Series s;
      s.style = SeriesStyle::Steps;
      s.label = task.actionNames()[static_cast<size_t>(k)];
      s.color = paletteColor(static_cast<size_t>(k));
      s.lineWidth = 2;
      int off = 0;
      for (const Trial& t : trials) {
        for (int step = 0; step < t.length(); ++step) {
          s.x.push_back((off + step) * dt);
          s.y.push_back(t.targets[static_cast<size_t>(step * task.targetSize() + k)]);
        }
        off += t.length();
      }
      g.series.push_back(std::move(s));
    }
    fig.panels.push_back(std::move(g));
    return fig;
  }
  std::string actions;
  for (int a = 0; a < task.actionSize(); ++a)
    actions += (a ? ", " : "") + std::to_string(a) + " = " + task.actionNames()[static_cast<size_t>(a)];
  Panel g = basePanel("ground truth (" + actions + ")");
  g.xlabel = "time (ms)";
  g.ylabel = "label";
  g.ymin = -0.3;
  g.ymax = task.actionSize() - 1 + 0.3;
  for (int a = 0; a < task.actionSize(); ++a) g.yticks.push_back(a);
  Series gt;
  gt.style = SeriesStyle::Steps;
  gt.color = "#000000";
  gt.lineWidth = 2;
  int off = 0;
  for (const Trial& t : trials) {
    for (int k = 0; k < t.length(); ++k) {
      gt.x.push_back((off + k) * dt);
      gt.y.push_back(static_cast<double>(t.labels[static_cast<size_t>(k)]));
    }
    off += t.length();
  }
  g.series.push_back(std::move(gt));
  fig.panels.push_back(std::move(g));
  return fig;
}

}  // namespace mnemo
