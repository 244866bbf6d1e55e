package dev.ipclab.cli;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of a set of round trips, in microseconds.
 *
 * @param p50 the median
 * @param p90 90th percentile
 * @param p99 99th percentile
 * @param p999 99.9th percentile
 * @param max the slowest one
 * @param mean the arithmetic mean
 */
record LatencySummary(double p50, double p90, double p99, double p999, double max, double mean) {

  /** A histogram of nanoseconds from 100 ns to 60 s, with 3 significant digits. */
  static Histogram newNanosHistogram() {
    return new Histogram(100, 60_000_000_000L, 3);
  }

  static LatencySummary of(Histogram nanos) {
    return new LatencySummary(
        micros(nanos.getValueAtPercentile(50)),
        micros(nanos.getValueAtPercentile(90)),
        micros(nanos.getValueAtPercentile(99)),
        micros(nanos.getValueAtPercentile(99.9)),
        micros(nanos.getMaxValue()),
        Math.round(nanos.getMean() / 100.0) / 10.0);
  }

  private static double micros(long nanos) {
    return Math.round(nanos / 100.0) / 10.0;
  }
}
