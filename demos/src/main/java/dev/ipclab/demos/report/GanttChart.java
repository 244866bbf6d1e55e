package dev.ipclab.demos.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Spans of time in lanes on one time axis: CPUs for parallelism, the carrier thread for coroutines, one row per
 * image for the async-io waterfall. Each span is coloured by its series (process, thread, coroutine, mode).
 */
public final class GanttChart {
  /**
   * One bar.
   *
   * @param lane the row it is drawn in
   * @param start where it starts, in the axis unit
   * @param end where it ends, in the axis unit
   * @param series what it belongs to, for its colour and the legend
   * @param tooltip the text shown on hover, or null
   */
  public record Span(String lane, double start, double end, String series, String tooltip) {}

  private final String title;
  private final String unit;
  private final List<String> lanes = new ArrayList<>();
  private final List<Span> spans = new ArrayList<>();

  /** A chart called {@code title}, its time axis labelled {@code unit}, e.g. "time since start (ms)". */
  public GanttChart(String title, String unit) {
    this.title = title;
    this.unit = unit;
  }

  /** Adds a lane; lanes are drawn top to bottom in the order added, and spans add theirs if missing. */
  public GanttChart lane(String name) {
    if (!lanes.contains(name)) {
      lanes.add(name);
    }
    return this;
  }

  public GanttChart span(Span span) {
    lane(span.lane());
    spans.add(span);
    return this;
  }

  /** The SVG, with the time axis from 0 (or the earliest start, if negative) to the latest end. */
  public String render() {
    Layout layout = Layout.rows(lanes.size(), lanes.size() > 16 ? 18 : 26, lanes);
    double min = Math.min(0, spans.stream().mapToDouble(Span::start).min().orElse(0));
    double max = spans.stream().mapToDouble(Span::end).max().orElse(1);
    LinearScale x = new LinearScale(min, max > min ? max : min + 1, layout.left(), layout.right());
    Svg svg = new Svg(Layout.WIDTH, layout.height(), title);
    layout.frame(svg);
    Axis.bottom(svg, x, layout.bottom(), layout.top(), unit);
    for (int i = 0; i < lanes.size(); i++) {
      svg.text(layout.left() - 8, layout.rowTop(i) + layout.rowHeight() * 0.65, lanes.get(i), "row-label", "end");
    }
    Palette palette = new Palette();
    for (Span s : spans) {
      int row = lanes.indexOf(s.lane());
      double x0 = x.map(s.start());
      // A span too short to see still gets a hairline, so that it is not lost.
      double w = Math.max(1, x.map(s.end()) - x0);
      svg.rect(x0, layout.rowTop(row) + 3, Math.min(w, layout.right() - x0), layout.rowHeight() - 6, "bar",
          palette.color(s.series()), s.tooltip());
    }
    Legend.draw(svg, layout.left(), 40, palette.legend());
    return svg.finish();
  }
}
