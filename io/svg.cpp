// SVG rendering of Figures (see svg.h).
#include "io/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "support/error.h"
#include "support/text.h"

namespace mnemo {

namespace {

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return lo > hi; }
};

// Formats a number compactly: integers without decimals, otherwise up to 4 significant digits.
std::string num(double v) {
  char buf[32];
  if (std::fabs(v) < 1e-12) v = 0;
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// Pixel coordinates with two decimals.
std::string px(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// Tick labels: enough decimals for the tick step.
std::string tickLabel(double v, double step) {
  int decimals = step > 0 ? std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9))) : 0;
  if (std::fabs(v) >= 1e5 || (std::fabs(v) > 0 && std::fabs(v) < 1e-4)) return num(v);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", std::min(decimals, 6), std::fabs(v) < 1e-12 ? 0.0 : v);
  return buf;
}

void fitLimits(Range& r, bool pad) {
  if (r.empty()) {
    r.lo = 0;
    r.hi = 1;
    return;
  }
  if (r.hi - r.lo < 1e-12) {
    double d = std::max(0.5, std::fabs(r.lo) * 0.1);
    r.lo -= d;
    r.hi += d;
    return;
  }
  if (pad) {
    double d = (r.hi - r.lo) * 0.05;
    r.lo -= d;
    r.hi += d;
  }
}

class PanelRenderer {
 public:
  PanelRenderer(std::ostringstream& out, const Panel& p, int index, double x, double y, double w,
                double h)
      : out_(out), p_(p), index_(index) {
    left_ = x + 64;
    right_ = x + w - 16;
    top_ = y + (p.title.empty() ? 14 : 30);
    bottom_ = y + h - (p.xlabel.empty() ? 28 : 44);
    if (right_ - left_ < 10) right_ = left_ + 10;
    if (bottom_ - top_ < 10) bottom_ = top_ + 10;
  }

  void render() {
    computeLimits();
    const std::string clip = "clip" + std::to_string(index_);
    out_ << "<clipPath id=\"" << clip << "\"><rect x=\"" << px(left_) << "\" y=\"" << px(top_)
         << "\" width=\"" << px(right_ - left_) << "\" height=\"" << px(bottom_ - top_)
         << "\"/></clipPath>\n";
    out_ << "<g class=\"panel\">\n";
    drawSpans(clip);
    drawAxes();
    out_ << "<g clip-path=\"url(#" << clip << ")\">\n";
    for (double v : p_.vlines) {
      if (v < x_.lo || v > x_.hi) continue;
      out_ << "<line x1=\"" << px(sx(v)) << "\" y1=\"" << px(top_) << "\" x2=\"" << px(sx(v))
           << "\" y2=\"" << px(bottom_)
           << "\" stroke=\"#555\" stroke-width=\"0.8\" stroke-dasharray=\"3,3\"/>\n";
    }
    for (size_t i = 0; i < p_.series.size(); ++i) drawSeries(p_.series[i], colorOf(i));
    out_ << "</g>\n";
    drawLegend();
    out_ << "</g>\n";
  }

 private:
  std::string colorOf(size_t i) const {
    return p_.series[i].color.empty() ? paletteColor(i) : p_.series[i].color;
  }
  double sx(double v) const { return left_ + (v - x_.lo) / (x_.hi - x_.lo) * (right_ - left_); }
  double sy(double v) const { return bottom_ - (v - y_.lo) / (y_.hi - y_.lo) * (bottom_ - top_); }

  void computeLimits() {
    for (const Series& s : p_.series) {
      for (double v : s.x) x_.add(v);
      for (double v : s.y) y_.add(v);
      if (s.style == SeriesStyle::Steps && s.x.size() >= 2)
        x_.add(s.x.back() + (s.x.back() - s.x[s.x.size() - 2]));
    }
    for (const Span& sp : p_.spans) {
      x_.add(sp.x0);
      x_.add(sp.x1);
    }
    fitLimits(x_, false);
    fitLimits(y_, true);
    if (p_.xmin) x_.lo = *p_.xmin;
    if (p_.xmax) x_.hi = *p_.xmax;
    if (p_.ymin) y_.lo = *p_.ymin;
    if (p_.ymax) y_.hi = *p_.ymax;
    if (!(x_.hi > x_.lo)) x_.hi = x_.lo + 1;
    if (!(y_.hi > y_.lo)) y_.hi = y_.lo + 1;
  }

  void drawSpans(const std::string& clip) {
    out_ << "<g clip-path=\"url(#" << clip << ")\">\n";
    for (const Span& sp : p_.spans) {
      double a = std::max(sx(std::min(sp.x0, sp.x1)), left_);
      double b = std::min(sx(std::max(sp.x0, sp.x1)), right_);
      if (b <= a) continue;
      out_ << "<rect x=\"" << px(a) << "\" y=\"" << px(top_) << "\" width=\"" << px(b - a)
           << "\" height=\"" << px(bottom_ - top_) << "\" fill=\"" << xmlEscape(sp.color)
           << "\" fill-opacity=\"" << num(sp.opacity) << "\"/>\n";
      if (sp.label.empty()) continue;
      double textWidth = 5.5 * static_cast<double>(sp.label.size());
      if (b - a >= textWidth + 4) {
        out_ << "<text x=\"" << px((a + b) / 2) << "\" y=\"" << px(top_ + 11)
             << "\" font-size=\"9\" text-anchor=\"middle\" fill=\"#333\">" << xmlEscape(sp.label)
             << "</text>\n";
      } else {  // too narrow: write the label downwards along the span
        out_ << "<text transform=\"translate(" << px((a + b) / 2 - 3) << "," << px(top_ + 4)
             << ") rotate(90)\" font-size=\"9\" fill=\"#333\">" << xmlEscape(sp.label)
             << "</text>\n";
      }
    }
    out_ << "</g>\n";
  }

  void drawAxes() {
    out_ << "<rect x=\"" << px(left_) << "\" y=\"" << px(top_) << "\" width=\"" << px(right_ - left_)
         << "\" height=\"" << px(bottom_ - top_) << "\" fill=\"none\" stroke=\"#222\"/>\n";
    std::vector<double> xt = p_.xticks.empty() ? niceTicks(x_.lo, x_.hi, 7) : p_.xticks;
    std::vector<double> yt = p_.yticks.empty() ? niceTicks(y_.lo, y_.hi, 5) : p_.yticks;
    double xstep = xt.size() >= 2 ? xt[1] - xt[0] : 1;
    double ystep = yt.size() >= 2 ? yt[1] - yt[0] : 1;
    for (double v : xt) {
      if (v < x_.lo - 1e-9 * (x_.hi - x_.lo) || v > x_.hi + 1e-9 * (x_.hi - x_.lo)) continue;
      double x = sx(v);
      out_ << "<line x1=\"" << px(x) << "\" y1=\"" << px(bottom_) << "\" x2=\"" << px(x)
           << "\" y2=\"" << px(bottom_ + 4) << "\" stroke=\"#222\"/>\n";
      out_ << "<text x=\"" << px(x) << "\" y=\"" << px(bottom_ + 15)
           << "\" font-size=\"10\" text-anchor=\"middle\">" << tickLabel(v, xstep) << "</text>\n";
    }
    for (double v : yt) {
      if (v < y_.lo - 1e-9 * (y_.hi - y_.lo) || v > y_.hi + 1e-9 * (y_.hi - y_.lo)) continue;
      double y = sy(v);
      out_ << "<line x1=\"" << px(left_ - 4) << "\" y1=\"" << px(y) << "\" x2=\"" << px(left_)
           << "\" y2=\"" << px(y) << "\" stroke=\"#222\"/>\n";
      out_ << "<text x=\"" << px(left_ - 6) << "\" y=\"" << px(y + 3.5)
           << "\" font-size=\"10\" text-anchor=\"end\">" << tickLabel(v, ystep) << "</text>\n";
    }
    if (!p_.title.empty())
      out_ << "<text x=\"" << px((left_ + right_) / 2) << "\" y=\"" << px(top_ - 9)
           << "\" font-size=\"13\" font-weight=\"bold\" text-anchor=\"middle\">"
           << xmlEscape(p_.title) << "</text>\n";
    if (!p_.xlabel.empty())
      out_ << "<text x=\"" << px((left_ + right_) / 2) << "\" y=\"" << px(bottom_ + 33)
           << "\" font-size=\"11\" text-anchor=\"middle\">" << xmlEscape(p_.xlabel) << "</text>\n";
    if (!p_.ylabel.empty())
      out_ << "<text transform=\"translate(" << px(left_ - 48) << "," << px((top_ + bottom_) / 2)
           << ") rotate(-90)\" font-size=\"11\" text-anchor=\"middle\">" << xmlEscape(p_.ylabel)
           << "</text>\n";
  }

  void drawSeries(const Series& s, const std::string& color) {
    size_t n = std::min(s.x.size(), s.y.size());
    std::string stroke = "stroke=\"" + xmlEscape(color) + "\" stroke-width=\"" + num(s.lineWidth) +
                         "\"" + (s.dashed ? " stroke-dasharray=\"5,3\"" : "") +
                         (s.opacity < 1 ? " stroke-opacity=\"" + num(s.opacity) + "\"" : "");
    if (s.style != SeriesStyle::Markers) {
      std::string d;
      bool pen = false;
      for (size_t i = 0; i < n; ++i) {
        if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
          pen = false;
          continue;
        }
        double x = sx(s.x[i]), y = sy(s.y[i]);
        if (s.style == SeriesStyle::Steps) {
          double xnext;
          if (i + 1 < n && std::isfinite(s.x[i + 1])) xnext = sx(s.x[i + 1]);
          else if (i >= 1 && std::isfinite(s.x[i - 1])) xnext = x + (x - sx(s.x[i - 1]));
          else xnext = x + 4;
          d += (pen ? "V" + px(y) : "M" + px(x) + "," + px(y)) + "H" + px(xnext);
        } else {
          d += (pen ? "L" : "M") + px(x) + "," + px(y);
        }
        pen = true;
      }
      if (!d.empty())
        out_ << "<path d=\"" << d << "\" fill=\"none\" " << stroke
             << " stroke-linejoin=\"round\"/>\n";
    }
    if (s.style == SeriesStyle::Markers || s.style == SeriesStyle::LineMarkers) {
      out_ << "<g fill=\"" << xmlEscape(color) << "\""
           << (s.opacity < 1 ? " fill-opacity=\"" + num(s.opacity) + "\"" : "") << ">";
      for (size_t i = 0; i < n; ++i) {
        if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
        out_ << "<circle cx=\"" << px(sx(s.x[i])) << "\" cy=\"" << px(sy(s.y[i])) << "\" r=\""
             << num(s.markerRadius) << "\"/>";
      }
      out_ << "</g>\n";
    }
  }

  void drawLegend() {
    if (!p_.legend) return;
    std::vector<size_t> entries;
    size_t longest = 0;
    for (size_t i = 0; i < p_.series.size(); ++i) {
      if (p_.series[i].label.empty()) continue;
      entries.push_back(i);
      longest = std::max(longest, p_.series[i].label.size());
    }
    if (entries.empty()) return;
    double w = 30 + 6.0 * static_cast<double>(longest), rowH = 14;
    double h = 6 + rowH * static_cast<double>(entries.size());
    double x0 = right_ - w - 6, y0 = top_ + 6;
    out_ << "<g class=\"legend\"><rect x=\"" << px(x0) << "\" y=\"" << px(y0) << "\" width=\""
         << px(w) << "\" height=\"" << px(h)
         << "\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#bbb\"/>\n";
    for (size_t k = 0; k < entries.size(); ++k) {
      const Series& s = p_.series[entries[k]];
      std::string color = xmlEscape(colorOf(entries[k]));
      double y = y0 + 3 + rowH * (static_cast<double>(k) + 0.5);
      if (s.style == SeriesStyle::Markers)
        out_ << "<circle cx=\"" << px(x0 + 13) << "\" cy=\"" << px(y) << "\" r=\"3\" fill=\""
             << color << "\"/>";
      else
        out_ << "<line x1=\"" << px(x0 + 5) << "\" y1=\"" << px(y) << "\" x2=\"" << px(x0 + 21)
             << "\" y2=\"" << px(y) << "\" stroke=\"" << color << "\" stroke-width=\"2\""
             << (s.dashed ? " stroke-dasharray=\"4,2\"" : "") << "/>";
      out_ << "<text x=\"" << px(x0 + 25) << "\" y=\"" << px(y + 3.5) << "\" font-size=\"10\">"
           << xmlEscape(s.label) << "</text>\n";
    }
    out_ << "</g>\n";
  }

  std::ostringstream& out_;
  const Panel& p_;
  int index_;
  double left_, right_, top_, bottom_;
  Range x_, y_;
};

}  // namespace

const std::string& paletteColor(size_t i) {
  static const std::string palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  return palette[i % 10];
}

std::vector<double> niceTicks(double lo, double hi, int target) {
  std::vector<double> ticks;
  if (!std::isfinite(lo) || !std::isfinite(hi)) return ticks;
  if (hi < lo) std::swap(lo, hi);
  if (hi - lo < 1e-12) return {lo};
  target = std::max(target, 2);
  double raw = (hi - lo) / target;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  double first = std::ceil(lo / step - 1e-9) * step;
  for (int k = 0; k < 1000; ++k) {
    double v = first + k * step;
    if (v > hi + 1e-9 * step) break;
    ticks.push_back(std::fabs(v) < 1e-12 * step ? 0.0 : v);
  }
  return ticks;
}

std::string renderSvg(const Figure& fig) {
  std::ostringstream out;
  const int cols = std::max(1, fig.columns);
  const int n = static_cast<int>(fig.panels.size());
  const int rows = std::max(1, (n + cols - 1) / cols);
  const double titleH = fig.title.empty() ? 0 : 28;
  const double cellW = fig.width / cols;
  const double cellH = (fig.height - titleH) / rows;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << px(fig.width) << "\" height=\""
      << px(fig.height) << "\" viewBox=\"0 0 " << px(fig.width) << " " << px(fig.height)
      << "\" font-family=\"Helvetica, Arial, sans-serif\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  if (!fig.title.empty())
    out << "<text x=\"" << px(fig.width / 2) << "\" y=\"20\" font-size=\"15\" font-weight=\"bold\" "
        << "text-anchor=\"middle\">" << xmlEscape(fig.title) << "</text>\n";
  for (int i = 0; i < n; ++i) {
    double x = (i % cols) * cellW, y = titleH + (i / cols) * cellH;
    PanelRenderer(out, fig.panels[static_cast<size_t>(i)], i, x, y, cellW, cellH).render();
  }
  out << "</svg>\n";
  return out.str();
}

void writeSvg(const std::string& path, const Figure& figure) {
  writeFileAtomic(path, renderSvg(figure));
}

}  // namespace mnemo
