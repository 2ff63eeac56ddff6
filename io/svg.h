// A small SVG plotting helper: a Figure is a grid of Panels; a Panel has line/marker/step
// Series with colours and a legend, automatic or fixed axis limits and ticks, axis labels, a
// title, shaded x-ranges with labels (task periods) and vertical marker lines. Used by
// `mnemo task` (trial plots), `mnemo train` (loss/accuracy curves) and `mnemo analyze`
// (PCA trajectories, psychometric curves).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mnemo {

/// How a series is drawn.
enum class SeriesStyle {
  Line,         ///< straight segments between points
  Markers,      ///< a dot at each point
  LineMarkers,  ///< both
  Steps,        ///< a staircase: y[i] holds on [x[i], x[i+1]) (the last step as wide as the one before)
};

/// One curve. A NaN in x or y breaks the line there.
struct Series {
  std::vector<double> x, y;
  std::string label;  ///< legend text; empty = not in the legend
  std::string color;  ///< any SVG colour; empty = the palette colour for the series' index
  SeriesStyle style = SeriesStyle::Line;
  double lineWidth = 1.5;
  double markerRadius = 2.5;
  bool dashed = false;
  double opacity = 1.0;
  bool hollow = false;  ///< markers as open circles (white inside, outlined in the colour)
};

/// A shaded x-range spanning the panel's height, e.g. a task period, optionally labelled.
struct Span {
  double x0 = 0, x1 = 0;
  std::string label;
  std::string color = "#7f7f7f";
  double opacity = 0.12;
};

/// One set of axes.
struct Panel {
  std::string title, xlabel, ylabel;
  std::vector<Series> series;
  std::vector<Span> spans;
  std::vector<double> vlines;                  ///< dashed vertical lines at these x
  std::optional<double> xmin, xmax, ymin, ymax;  ///< fixed limits; unset = fit the data
  std::vector<double> xticks, yticks;            ///< fixed ticks; empty = automatic
  bool legend = true;                            ///< draw a legend if any series has a label
};

/// A grid of panels, filled row by row.
struct Figure {
  double width = 800, height = 600;  ///< pixels
  std::string title;
  int columns = 1;
  std::vector<Panel> panels;
};

/// The colour of the i-th series when none is given (a 10-colour qualitative palette).
const std::string& paletteColor(size_t i);

/// About `target` round tick values (steps of 1, 2 or 5 times a power of ten) covering
/// [lo, hi].
std::vector<double> niceTicks(double lo, double hi, int target = 6);

/// The figure as a standalone SVG document.
std::string renderSvg(const Figure& figure);

/// Renders `figure` and writes it to `path` atomically; throws mnemo::Error if it cannot.
void writeSvg(const std::string& path, const Figure& figure);

}  // namespace mnemo
