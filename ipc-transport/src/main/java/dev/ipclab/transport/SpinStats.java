package dev.ipclab.transport;

import java.util.concurrent.atomic.LongAdder;

/**
 * What {@link IdleStrategy#SPIN} cost this process so far, summed over its spinning readers: the time spent
 * spinning and yielding, and how often spinning paused itself because replies came late (see
 * {@link IdleStrategy}). Take one snapshot before and one after, and {@link #minus} them.
 *
 * @param spinningNanos nanoseconds the readers spent polling instead of blocking
 * @param pauses times a reader stopped spinning for a while and blocked instead
 */
public record SpinStats(long spinningNanos, long pauses) {
  private static final LongAdder SPINNING = new LongAdder();
  private static final LongAdder PAUSES = new LongAdder();

  /** The process's totals now. */
  public static SpinStats now() {
    return new SpinStats(SPINNING.sum(), PAUSES.sum());
  }

  /** What happened between {@code earlier} and this snapshot. */
  public SpinStats minus(SpinStats earlier) {
    return new SpinStats(spinningNanos - earlier.spinningNanos, pauses - earlier.pauses);
  }

  static void spun(long nanos) {
    SPINNING.add(nanos);
  }

  static void paused() {
    PAUSES.increment();
  }
}
