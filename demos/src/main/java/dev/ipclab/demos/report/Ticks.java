package dev.ipclab.demos.report;

import java.util.Locale;

/** Formatting of tick labels: whole numbers plain, fractions with as few decimals as they need. */
final class Ticks {
  private Ticks() {}

  static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    String s = String.format(Locale.ROOT, "%.3f", v);
    return s.replaceAll("0+$", "").replaceAll("\\.$", "");
  }
}
