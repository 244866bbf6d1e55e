package dev.ipclab.demos.report;

import java.util.List;

/**
 * The plot area of a chart with labelled rows: a title and a legend above, row labels on the left, an axis below.
 *
 * @param left the plot's left edge (px)
 * @param top the plot's top edge (px)
 * @param right the plot's right edge (px)
 * @param bottom the plot's bottom edge (px)
 * @param rowHeight the height of one row (px)
 */
public record Layout(double left, double top, double right, double bottom, double rowHeight) {
  /** The width of every chart: fits a 1280 px window and an A4 page scaled down. */
  public static final double WIDTH = 1100;
  static final double LABELS = 220;
  static final double HEAD = 56;
  static final double FOOT = 52;

  /** The layout for {@code rows} rows of {@code rowHeight} px, with room for row labels up to 220 px. */
  public static Layout rows(int rows, double rowHeight) {
    return rows(rows, rowHeight, List.of());
  }

  /** As {@link #rows(int, double)}, the label column widened (to at most half the chart) to fit {@code labels}. */
  public static Layout rows(int rows, double rowHeight, List<String> labels) {
    // About 6.6 px a character at the 12 px label font; an estimate, since the SVG is written without a browser.
    double longest = labels.stream().mapToInt(String::length).max().orElse(0) * 6.6 + 16;
    double left = Math.min(WIDTH / 2, Math.max(LABELS, longest));
    return new Layout(left, HEAD, WIDTH - 30, HEAD + Math.max(1, rows) * rowHeight, rowHeight);
  }

  /** The height of the whole chart. */
  public double height() {
    return bottom + FOOT;
  }

  /** The top of row {@code i}. */
  public double rowTop(int i) {
    return top + i * rowHeight;
  }

  /** Draws the plot frame (class {@code plot}) so tests and readers can see the area the bars must stay in. */
  void frame(Svg svg) {
    svg.rect(left, top, right - left, bottom - top, "plot", null, null);
  }
}
