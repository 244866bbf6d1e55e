package dev.ipclab.worker;

import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * A pause the thread that reads the channel takes before it handles its next frame: how {@code chaos.slow-reader}
 * makes this worker a slow reader, so the parent's writes back up in the OS channel and the parent's buffers.
 *
 * <p>A task thread requests the pause; only the reading thread takes it, so nothing else (heartbeats, task
 * threads) stops. Requests made before the pause is taken merge into the longest one.
 */
final class ReadPause {
  private static final Logger log = Logger.getLogger(ReadPause.class.getName());

  private final AtomicLong pendingMillis = new AtomicLong();

  /** Asks the reading thread to pause {@code millis} before its next frame. */
  void request(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("a read pause must be 0 ms or more, got " + millis);
    }
    pendingMillis.accumulateAndGet(millis, Math::max);
  }

  /** Called by the reading thread before it handles a frame: takes the pending pause, if any; returns its ms. */
  long honour() {
    if (pendingMillis.get() == 0) {
      return 0; // the common case: a plain read, no atomic write per frame
    }
    long millis = pendingMillis.getAndSet(0);
    if (millis == 0) {
      return 0;
    }
    log.warning(() -> "not reading the channel for " + millis + " ms (slow reader)");
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the transport is closing; stop pausing and let it see the flag
    }
    log.info(() -> "reading the channel again after a " + millis + " ms pause");
    return millis;
  }

  /** The pause not yet taken, in ms. */
  long pendingMillis() {
    return pendingMillis.get();
  }
}
