package dev.ipclab.demos.report;

import java.util.List;

/** A row of coloured swatches with their names, drawn above a plot. */
public final class Legend {
  /** One entry: a name and its colour. */
  public record Entry(String name, String color) {}

  /** The height of one entry in {@link #column}. */
  public static final double LINE = 18;

  private Legend() {}

  /** Draws the entries left to right from (x, y); the widths are estimated from the text length. */
  public static void draw(Svg svg, double x, double y, List<Entry> entries) {
    double at = x;
    for (Entry e : entries) {
      svg.rect(at, y - 10, 12, 12, "swatch", e.color(), null);
      svg.text(at + 16, y, e.name(), "legend", "start");
      at += 16 + 7 * e.name().length() + 18;
    }
  }

  /** Draws the entries one under another from (x, y), for names too long to share a line. */
  public static void column(Svg svg, double x, double y, List<Entry> entries) {
    for (int i = 0; i < entries.size(); i++) {
      svg.rect(x, y + i * LINE - 10, 12, 12, "swatch", entries.get(i).color(), null);
      svg.text(x + 16, y + i * LINE, entries.get(i).name(), "legend", "start");
    }
  }
}
