package dev.ipclab.demos.report;

import java.util.ArrayList;
import java.util.List;

/** A base-10 log scale over whole decades that enclose the data, with a tick at each decade. */
public record LogScale(double d0, double d1, double r0, double r1) implements Scale {

  public LogScale {
    if (!(d0 > 0) || !(d1 > d0)) {
      throw new IllegalArgumentException("a log scale needs 0 < d0 < d1, got " + d0 + " … " + d1);
    }
  }

  /** The smallest run of whole decades that holds every positive value in [{@code min}, {@code max}]. */
  public static LogScale decades(double min, double max, double r0, double r1) {
    double lo = Math.pow(10, Math.floor(Math.log10(min)));
    double hi = Math.pow(10, Math.ceil(Math.log10(max)));
    return new LogScale(lo, hi > lo ? hi : lo * 10, r0, r1);
  }

  @Override
  public double map(double value) {
    double t = (Math.log10(value) - Math.log10(d0)) / (Math.log10(d1) - Math.log10(d0));
    return r0 + t * (r1 - r0);
  }

  @Override
  public List<Double> ticks() {
    List<Double> ticks = new ArrayList<>();
    for (int e = (int) Math.ceil(Math.log10(d0) - 1e-9); e <= Math.floor(Math.log10(d1) + 1e-9); e++) {
      ticks.add(Math.pow(10, e));
    }
    return ticks;
  }
}
