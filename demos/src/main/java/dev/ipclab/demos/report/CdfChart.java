package dev.ipclab.demos.report;

import java.util.ArrayList;
import java.util.List;

/** Cumulative distributions, one line per series: x the value on a log scale, y the share of samples at or below. */
public final class CdfChart {
  /**
   * One distribution, as measured points.
   *
   * @param name its legend entry
   * @param percentiles the cumulative share (0-100 %) of each point, ascending
   * @param values the measured value at each percentile, in the axis unit, each above 0
   */
  public record Series(String name, double[] percentiles, double[] values) {
    public Series {
      if (percentiles.length == 0 || percentiles.length != values.length) {
        throw new IllegalArgumentException(name + ": " + percentiles.length + " percentiles for " + values.length
            + " values");
      }
      for (int i = 0; i < values.length; i++) {
        if (!(values[i] > 0) || i > 0 && (percentiles[i] < percentiles[i - 1] || values[i] < values[i - 1])) {
          throw new IllegalArgumentException(name + ": a CDF needs ascending positive values, point " + i);
        }
      }
    }
  }

  static final double PLOT_HEIGHT = 320;
  static final double LEFT = 80;

  private final String title;
  private final String unit;
  private final List<Series> series = new ArrayList<>();

  /** A chart called {@code title}, its x axis (log scale) labelled {@code unit}. */
  public CdfChart(String title, String unit) {
    this.title = title;
    this.unit = unit;
  }

  public CdfChart series(Series s) {
    series.add(s);
    return this;
  }

  public String render() {
    // The legend is a column above the plot: these names are too long to share one line.
    double top = Layout.HEAD + series.size() * Legend.LINE + 16;
    Layout layout = new Layout(LEFT, top, Layout.WIDTH - 30, top + PLOT_HEIGHT, PLOT_HEIGHT);
    double min = series.stream().mapToDouble(s -> s.values()[0]).min().orElse(1);
    double max = series.stream().mapToDouble(s -> s.values()[s.values().length - 1]).max().orElse(10);
    Scale x = LogScale.decades(min, max, layout.left(), layout.right());
    Scale y = new LinearScale(0, 100, layout.bottom(), layout.top());
    Svg svg = new Svg(Layout.WIDTH, layout.height(), title);
    layout.frame(svg);
    Axis.bottom(svg, x, layout.bottom(), layout.top(), unit);
    Axis.left(svg, y, layout.left(), layout.right(), "samples at or below (%)");
    Palette palette = new Palette();
    for (Series s : series) {
      svg.polyline(xs(s, x), ys(s, y), "series", palette.color(s.name()), tooltip(s));
    }
    Legend.column(svg, layout.left(), Layout.HEAD - 12, palette.legend());
    return svg.finish();
  }

  /** A step line through the measured points: flat until the next measured value, then up; nothing in between. */
  private static double[] xs(Series s, Scale x) {
    double[] out = new double[2 * s.values().length - 1];
    for (int i = 0; i < s.values().length; i++) {
      out[2 * i] = x.map(s.values()[i]);
      if (i > 0) {
        out[2 * i - 1] = x.map(s.values()[i]);
      }
    }
    return out;
  }

  private static double[] ys(Series s, Scale y) {
    double[] out = new double[2 * s.percentiles().length - 1];
    for (int i = 0; i < s.percentiles().length; i++) {
      out[2 * i] = y.map(s.percentiles()[i]);
      if (i > 0) {
        out[2 * i - 1] = y.map(s.percentiles()[i - 1]);
      }
    }
    return out;
  }

  private String tooltip(Series s) {
    StringBuilder t = new StringBuilder(s.name());
    for (int i = 0; i < s.percentiles().length; i++) {
      double p = s.percentiles()[i];
      if (p == 50 || p == 90 || p == 99 || p == 99.9 || p == 100) {
        t.append(p == 100 ? ", max " : ", p" + Ticks.format(p) + " ").append(Ticks.format(BarChart.round(
            s.values()[i]))).append(' ').append(unitSymbol());
      }
    }
    return t.toString();
  }

  /** The unit's symbol for the tooltip: the text in the axis title's first parentheses, if any. */
  private String unitSymbol() {
    int open = unit.indexOf('(');
    int close = unit.indexOf(')', open + 1);
    return open >= 0 && close > open ? unit.substring(open + 1, close) : "";
  }
}
