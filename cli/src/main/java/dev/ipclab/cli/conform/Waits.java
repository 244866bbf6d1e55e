package dev.ipclab.cli.conform;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** The time limits of a conform run, and how it writes durations for people. */
final class Waits {
  /** How long any single reply is waited for: generous, since a good worker answers long before. */
  static final long REPLY_MS = 5_000;
  /** How long a worker has to exit once its parent is gone or its stdin reached end-of-file. */
  static final long EXIT_MS = 2_000;
  /** The grace a Shutdown grants, as the pool's default. */
  static final long SHUTDOWN_GRACE_MS = 5_000;
  /** The heartbeat timing the Welcome announces: short, so a run sees many beats in a few seconds. */
  static final long HEARTBEAT_INTERVAL_MS = 200;
  static final long HEARTBEAT_TIMEOUT_MS = 2_000;

  private Waits() {}

  static long deadline(long millis) {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
  }

  static long msSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }

  static long ms(long fromNanos, long toNanos) {
    return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
  }

  /** {@code 1,234 ms}. */
  static String ms(long millis) {
    return String.format(Locale.ROOT, "%,d ms", millis);
  }

  /** {@code 65,536 bytes}. */
  static String bytes(long n) {
    return String.format(Locale.ROOT, "%,d byte%s", n, n == 1 ? "" : "s");
  }

  static void sleepUntil(long deadlineNanos) throws InterruptedException {
    long left = deadlineNanos - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }
}
