package dev.ipclab.demos.report;

import java.util.ArrayList;
import java.util.List;

/** A linear scale from [{@code d0}, {@code d1}] to [{@code r0}, {@code r1}] with ticks at 1, 2 or 5 × 10ⁿ. */
public record LinearScale(double d0, double d1, double r0, double r1) implements Scale {

  public LinearScale {
    if (!(d1 > d0)) {
      throw new IllegalArgumentException("empty domain " + d0 + " … " + d1);
    }
  }

  /** A scale from 0 to {@code max} (or 1 when nothing is above 0). */
  public static LinearScale fromZero(double max, double r0, double r1) {
    return new LinearScale(0, max > 0 ? max : 1, r0, r1);
  }

  @Override
  public double map(double value) {
    return r0 + (value - d0) / (d1 - d0) * (r1 - r0);
  }

  @Override
  public List<Double> ticks() {
    double raw = (d1 - d0) / 6;
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = raw / mag <= 1 ? mag : raw / mag <= 2 ? 2 * mag : raw / mag <= 5 ? 5 * mag : 10 * mag;
    List<Double> ticks = new ArrayList<>();
    for (double t = Math.ceil(d0 / step) * step; t <= d1 + step * 1e-9; t += step) {
      ticks.add(Math.abs(t) < step * 1e-9 ? 0 : t);
    }
    return ticks;
  }
}
