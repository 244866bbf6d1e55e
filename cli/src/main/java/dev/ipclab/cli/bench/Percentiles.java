package dev.ipclab.cli.bench;

import org.HdrHistogram.Histogram;

/**
 * Round-trip percentiles in microseconds, rounded to 0.1 µs, taken from a histogram of nanoseconds.
 *
 * @param p50 the median
 * @param p90 90th percentile
 * @param p99 99th percentile
 * @param p999 99.9th percentile (few samples make it noisy: see the round-trip count beside it)
 */
public record Percentiles(double p50, double p90, double p99, double p999) {
  /** The slowest round trip a histogram holds: anything longer is clamped to it (a minute). */
  static final long HIGHEST_NANOS = 60_000_000_000L;

  /** A histogram of nanoseconds from 10 ns to a minute, 3 significant digits: 0.1% resolution at every scale. */
  static Histogram newNanosHistogram() {
    return new Histogram(10, HIGHEST_NANOS, 3);
  }

  /** Records {@code nanos}, clamped into the histogram's range rather than failing on an outlier. */
  static void record(Histogram histogram, long nanos) {
    histogram.recordValue(Math.max(10, Math.min(nanos, HIGHEST_NANOS)));
  }

  /** The percentiles of {@code nanos}; throws if it is empty, since a percentile of nothing is no measurement. */
  static Percentiles of(Histogram nanos) {
    if (nanos.getTotalCount() == 0) {
      throw new IllegalStateException("no round trips were recorded; nothing to take percentiles of");
    }
    return new Percentiles(
        micros(nanos.getValueAtPercentile(50)),
        micros(nanos.getValueAtPercentile(90)),
        micros(nanos.getValueAtPercentile(99)),
        micros(nanos.getValueAtPercentile(99.9)));
  }

  /** {@code value / baseline} rounded to 0.01, or null when there is no baseline to compare with. */
  static Double ratio(double value, Percentiles baseline) {
    if (baseline == null || baseline.p50() <= 0) {
      return null;
    }
    return Math.round(value / baseline.p50() * 100) / 100.0;
  }

  private static double micros(long nanos) {
    return Math.round(nanos / 100.0) / 10.0;
  }
}
