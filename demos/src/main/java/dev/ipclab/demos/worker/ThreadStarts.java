package dev.ipclab.demos.worker;

import java.util.Arrays;
import java.util.List;

/**
 * The one way both demos time a thread's creation: {@code Thread.start()} alone, of a thread that stays alive
 * afterwards, so neither its exit nor a join's wake-up is counted. The creation-cost demo and the coroutines
 * demo's crowds both start their threads through here, so their per-thread figures are the same measurement.
 */
public final class ThreadStarts {
  /** What the figures measure, for the demos' tables and notes. */
  public static final String METHOD = "Thread.start() alone, timed per thread, the thread staying alive";

  private ThreadStarts() {}

  /** Starts one thread running {@code body}, adds it to {@code started}, and returns how long start() took. */
  static long timedStart(Thread.Builder builder, Runnable body, List<Thread> started) {
    long start = System.nanoTime();
    Thread t = builder.start(body);
    long took = System.nanoTime() - start;
    started.add(t);
    return took;
  }

  /** The median of the first {@code count} values of {@code nanos} (nearest rank), 0 if there are none. */
  static long median(long[] nanos, int count) {
    if (count == 0) {
      return 0;
    }
    long[] sorted = Arrays.copyOf(nanos, count);
    Arrays.sort(sorted);
    return sorted[(count - 1) / 2];
  }
}
