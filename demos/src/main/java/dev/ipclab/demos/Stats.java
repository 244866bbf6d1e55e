package dev.ipclab.demos;

import java.util.Arrays;

/** Order statistics of a sample: the median and percentiles that demos report (never the mean alone). */
public final class Stats {
  private Stats() {}

  /** The {@code p}-th percentile (0-100) by the nearest-rank method; NaN for an empty sample. */
  public static double percentile(double[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  public static double median(double[] values) {
    return percentile(values, 50);
  }

  /** Nanoseconds to microseconds. */
  public static double micros(double nanos) {
    return nanos / 1_000.0;
  }

  /** Nanoseconds to milliseconds. */
  public static double millis(double nanos) {
    return nanos / 1_000_000.0;
  }
}
