package dev.ipclab.demos.report;

import java.util.ArrayList;
import java.util.List;

/** One horizontal bar per row, split into named segments (e.g. running, ready, blocked), on a linear scale. */
public final class StackedBarChart {
  /**
   * One row.
   *
   * @param label the row label
   * @param values one value per segment, in the order of the segment names
   */
  public record Row(String label, List<Double> values) {}

  private final String title;
  private final String unit;
  private final List<String> segments;
  private final List<Row> rows = new ArrayList<>();

  /** A chart called {@code title}, its axis labelled {@code unit}, with these segments left to right. */
  public StackedBarChart(String title, String unit, List<String> segments) {
    this.title = title;
    this.unit = unit;
    this.segments = List.copyOf(segments);
  }

  public StackedBarChart row(Row row) {
    if (row.values().size() != segments.size()) {
      throw new IllegalArgumentException(row.label() + " has " + row.values().size() + " values for "
          + segments.size() + " segments");
    }
    if (row.values().stream().anyMatch(v -> v < 0)) {
      throw new IllegalArgumentException(row.label() + " has a negative value: " + row.values());
    }
    rows.add(row);
    return this;
  }

  public String render() {
    Layout layout = Layout.rows(rows.size(), rows.size() > 16 ? 18 : 26,
        rows.stream().map(Row::label).toList());
    double max = rows.stream().mapToDouble(r -> r.values().stream().mapToDouble(Double::doubleValue).sum())
        .max().orElse(1);
    LinearScale x = LinearScale.fromZero(max, layout.left(), layout.right());
    Svg svg = new Svg(Layout.WIDTH, layout.height(), title);
    layout.frame(svg);
    Axis.bottom(svg, x, layout.bottom(), layout.top(), unit);
    Palette palette = new Palette();
    segments.forEach(palette::color);
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      double y = layout.rowTop(i);
      svg.text(layout.left() - 8, y + layout.rowHeight() * 0.65, r.label(), "row-label", "end");
      double sum = 0;
      for (int s = 0; s < segments.size(); s++) {
        double v = r.values().get(s);
        double x0 = x.map(sum);
        sum += v;
        svg.rect(x0, y + 3, x.map(sum) - x0, layout.rowHeight() - 6, "bar", palette.color(segments.get(s)),
            r.label() + " " + segments.get(s) + ": " + Ticks.format(BarChart.round(v)));
      }
    }
    Legend.draw(svg, layout.left(), 40, palette.legend());
    return svg.finish();
  }
}
