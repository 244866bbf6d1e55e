package dev.ipclab.demos.report;

import java.util.ArrayList;
import java.util.List;

/** Horizontal bars, one per row, on a linear or a log scale, coloured by series, each labelled with its value. */
public final class BarChart {
  /**
   * One bar.
   *
   * @param label the row label
   * @param series what it belongs to, for its colour and the legend
   * @param value its length, in the axis unit
   */
  public record Bar(String label, String series, double value) {}

  private final String title;
  private final String unit;
  private final boolean log;
  private final List<Bar> bars = new ArrayList<>();

  /** A chart called {@code title}, its axis labelled {@code unit}; {@code log} for a base-10 log scale. */
  public BarChart(String title, String unit, boolean log) {
    this.title = title;
    this.unit = unit;
    this.log = log;
  }

  public BarChart bar(Bar bar) {
    if (log && !(bar.value() > 0)) {
      throw new IllegalArgumentException("a log scale cannot show " + bar.value() + " for " + bar.label());
    }
    bars.add(bar);
    return this;
  }

  public String render() {
    Layout layout = Layout.rows(bars.size(), 28, bars.stream().map(Bar::label).toList());
    double max = bars.stream().mapToDouble(Bar::value).max().orElse(1);
    Scale x = log
        ? LogScale.decades(bars.stream().mapToDouble(Bar::value).min().orElse(1), max, layout.left(), layout.right())
        : LinearScale.fromZero(max, layout.left(), layout.right());
    Svg svg = new Svg(Layout.WIDTH, layout.height(), title);
    layout.frame(svg);
    Axis.bottom(svg, x, layout.bottom(), layout.top(), unit);
    Palette palette = new Palette();
    for (int i = 0; i < bars.size(); i++) {
      Bar b = bars.get(i);
      double y = layout.rowTop(i);
      double w = x.map(b.value()) - layout.left();
      svg.text(layout.left() - 8, y + 18, b.label(), "row-label", "end");
      svg.rect(layout.left(), y + 4, w, layout.rowHeight() - 8, "bar", palette.color(b.series()),
          b.label() + ": " + Ticks.format(round(b.value())));
      boolean inside = w > 80;
      svg.text(inside ? layout.left() + w - 4 : layout.left() + w + 4, y + 18, Ticks.format(round(b.value())),
          inside ? "value inside" : "value", inside ? "end" : "start");
    }
    Legend.draw(svg, layout.left(), 40, palette.legend());
    return svg.finish();
  }

  /** Three significant digits: enough to read, no false precision. */
  static double round(double v) {
    if (v == 0) {
      return 0;
    }
    double mag = Math.pow(10, Math.floor(Math.log10(Math.abs(v))) - 2);
    return Math.round(v / mag) * mag;
  }
}
