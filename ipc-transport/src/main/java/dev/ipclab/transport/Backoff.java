package dev.ipclab.transport;

import java.util.concurrent.locks.LockSupport;

/**
 * Aeron's back-off for a thread waiting on shared memory: spin, then yield, then park for doubling times up to a
 * cap, so a brief gap costs no wake-up and a long one does not keep a core busy for ever. A writer waiting for
 * room in a full ring uses it; readers wait by their {@link IdleStrategy}, which can block on a doorbell instead.
 */
final class Backoff {
  /** For a writer waiting for room in a full ring, a peer that does not read: poll at most every millisecond. */
  static final Backoff.Settings FULL_RING = new Settings(100, 10, 1_000, 1_000_000);

  /** The phases' lengths; parks start at {@code minParkNanos} and double up to {@code maxParkNanos}. */
  record Settings(int spins, int yields, long minParkNanos, long maxParkNanos) {}

  private final Settings settings;
  private int spins;
  private int yields;
  private long parkNanos;

  Backoff(Settings settings) {
    this.settings = settings;
    reset();
  }

  /** Called after work was found: the next wait starts again with spinning. */
  void reset() {
    spins = 0;
    yields = 0;
    parkNanos = settings.minParkNanos();
  }

  /** Waits one step. */
  void idle() {
    if (spins < settings.spins()) {
      spins++;
      Thread.onSpinWait();
    } else if (yields < settings.yields()) {
      yields++;
      Thread.yield();
    } else {
      LockSupport.parkNanos(parkNanos);
      parkNanos = Math.min(parkNanos * 2, settings.maxParkNanos());
    }
  }
}
