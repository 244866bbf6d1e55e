package dev.ipclab.parent.report;

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

  /** The layout for {@code rows} rows of {@code rowHeight} px. */
  public static Layout rows(int rows, double rowHeight) {
    double top = HEAD;
    return new Layout(LABELS, top, WIDTH - 30, top + Math.max(1, rows) * rowHeight, rowHeight);
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
