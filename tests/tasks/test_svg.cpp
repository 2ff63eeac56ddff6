// Tests for the SVG plotting helper and the trial plot.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>

#include "io/svg.h"
#include "support/text.h"
#include "tasks/delay_comparison.h"
#include "tasks/spatial_suppress_motion.h"
#include "tasks/trial_plot.h"

using namespace mnemo;

namespace {
size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("niceTicks gives round steps covering the range", "[task][svg]") {
  CHECK(niceTicks(0, 10, 5) == std::vector<double>{0, 2, 4, 6, 8, 10});
  std::vector<double> unit = niceTicks(0, 1, 5);
  REQUIRE(unit.size() == 6);
  for (size_t i = 0; i < unit.size(); ++i) CHECK(unit[i] == Approx(0.2 * double(i)).margin(1e-12));
  std::vector<double> t = niceTicks(-3.3, 47, 6);
  CHECK(t.front() >= -3.3);
  CHECK(t.back() <= 47);
  CHECK(t.size() >= 4);
  CHECK(niceTicks(5, 5).size() == 1);
}

TEST_CASE("renderSvg draws panels, series, legend, spans and escapes text", "[task][svg]") {
  Figure f;
  f.title = "loss & accuracy <test>";
  f.columns = 2;
  Panel a;
  a.title = "loss";
  a.xlabel = "step";
  a.ylabel = "loss";
  a.series.push_back({{0, 1, 2, 3}, {1.0, 0.5, std::numeric_limits<double>::quiet_NaN(), 0.2}, "train", ""});
  Series m;
  m.x = {0, 1, 2};
  m.y = {3, 2, 1};
  m.label = "points";
  m.style = SeriesStyle::Markers;
  a.series.push_back(m);
  a.spans.push_back({0.5, 1.5, "stimulus", "#ff0000", 0.2});
  a.vlines = {2};
  Panel b;
  b.title = "acc";
  b.ymin = 0;
  b.ymax = 1;
  b.series.push_back({{0, 1}, {0.2, 0.9}, "", "#123456", SeriesStyle::Steps});
  f.panels = {a, b};
  const std::string svg = renderSvg(f);
  CHECK(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\"") != std::string::npos);
  CHECK(svg.find("loss &amp; accuracy &lt;test&gt;") != std::string::npos);
  CHECK(count(svg, "class=\"panel\"") == 2);
  CHECK(count(svg, "class=\"legend\"") == 1);  // panel b's series has no label
  CHECK(svg.find(">train<") != std::string::npos);
  CHECK(svg.find(">stimulus<") != std::string::npos);
  CHECK(count(svg, "<circle") >= 3 + 1);  // markers + legend dot
  CHECK(svg.find("#123456") != std::string::npos);
  CHECK(svg.find("nan") == std::string::npos);
  CHECK(svg.find("inf") == std::string::npos);
  CHECK(svg.rfind("</svg>") != std::string::npos);
}

TEST_CASE("plotTrials shows every channel, the ground truth and labelled periods", "[task][svg]") {
  TaskConfig c = notebookConfig();
  c.warn = [](const std::string&) {};
  DelayComparison task(c);
  Rng rng(1);
  std::vector<Trial> trials;
  for (int i = 0; i < 3; ++i) trials.push_back(task.newTrial(rng));
  Figure f = plotTrials(task, trials);
  REQUIRE(f.panels.size() == 3);  // fixation, stimulus, ground truth
  CHECK(f.panels[0].spans.size() == 15);
  CHECK(f.panels[0].vlines.size() == 2);
  CHECK(f.panels[1].series[0].x.size() ==
        size_t(trials[0].length() + trials[1].length() + trials[2].length()));
  const std::string svg = renderSvg(f);
  for (const char* p : {"fixation", "stimulus1", "delay", "stimulus2", "decision", "ground truth"})
    CHECK(svg.find(p) != std::string::npos);
}

TEST_CASE("plotTrials draws a continuous task's targets, one line per value", "[task][svg]") {
  SpatialSuppressMotion task;
  Rng rng(3, RngKind::Numpy);
  std::vector<Trial> trials{task.newTrial(rng), task.newTrial(rng)};
  Figure f = plotTrials(task, trials);
  REQUIRE(f.panels.size() == 33);  // 32 inputs, then the targets
  const Panel& targets = f.panels.back();
  CHECK(targets.title == "target (left, right, up, down)");
  REQUIRE(targets.series.size() == 4);
  const int direction = static_cast<int>(trials[1].info.param("direction"));
  // The reported direction's probability at the last step of the second trial: 0.99.
  CHECK(targets.series[static_cast<size_t>(direction - 1)].y.back() == 0.99f);
}

TEST_CASE("text helpers escape XML and JSON", "[task][svg]") {
  CHECK(xmlEscape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&apos;");
  CHECK(jsonString("a\"b\\c\n\x01") == "\"a\\\"b\\\\c\\n\\u0001\"");
}
