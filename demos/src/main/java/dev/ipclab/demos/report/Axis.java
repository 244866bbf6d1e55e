package dev.ipclab.demos.report;

/** An axis beside a plot area: its line, ticks with labels and grid lines, and a title with the unit. */
public final class Axis {
  private Axis() {}

  /** Draws the axis of {@code scale} at {@code y}, with grid lines up to {@code top}; {@code title} names the unit. */
  public static void bottom(Svg svg, Scale scale, double y, double top, String title) {
    for (double t : scale.ticks()) {
      double x = scale.map(t);
      svg.line(x, top, x, y, "grid");
      svg.line(x, y, x, y + 5, "tick");
      svg.text(x, y + 18, scale.label(t), "tick-label", "middle");
    }
    svg.line(scale.r0(), y, scale.r1(), y, "axis");
    svg.text((scale.r0() + scale.r1()) / 2, y + 36, title, "axis-title", "middle");
  }

  /**
   * Draws the vertical axis of {@code scale} at {@code x}, with grid lines across to {@code right}; the title, which
   * names the unit, goes above the axis since SVG text here is not rotated.
   */
  public static void left(Svg svg, Scale scale, double x, double right, String title) {
    for (double t : scale.ticks()) {
      double y = scale.map(t);
      svg.line(x, y, right, y, "grid");
      svg.line(x - 5, y, x, y, "tick");
      svg.text(x - 8, y + 4, scale.label(t), "tick-label", "end");
    }
    svg.line(x, scale.r0(), x, scale.r1(), "axis");
    svg.text(x, Math.min(scale.r0(), scale.r1()) - 8, title, "axis-title", "start");
  }
}
