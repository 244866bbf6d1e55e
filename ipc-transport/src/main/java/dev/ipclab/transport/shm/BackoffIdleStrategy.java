package dev.ipclab.transport.shm;

import dev.ipclab.transport.IdleStrategy;
import java.util.concurrent.locks.LockSupport;

/**
 * Aeron's back-off for a thread polling shared memory: spin, then yield, then park for doubling times up to a cap,
 * so a brief gap costs no wake-up and a long one does not keep a core busy for ever. It never says "block": a
 * spinning shm reader leaves its doorbell to a thread of its own, so parking is its only way to sleep.
 *
 * <p>The shm reader of a polling pool waits with this rather than with {@code SpinningIdleStrategy}: it never
 * hands the ring's wait to the kernel, and its governor would. Not thread-safe: one per waiting thread.
 */
final class BackoffIdleStrategy implements IdleStrategy {
  /** For a latency-first ring reader: some tens of microseconds of spinning cover a request's round trip. */
  static final Settings RING_READER = new Settings(20_000, 50, 1_000, 1_000_000);
  /** For a writer waiting for room in a full ring, a peer that does not read: poll at most every millisecond. */
  static final Settings FULL_RING = new Settings(100, 10, 1_000, 1_000_000);

  /** The phases' lengths; parks start at {@code minParkNanos} and double up to {@code maxParkNanos}. */
  record Settings(int spins, int yields, long minParkNanos, long maxParkNanos) {}

  private final Settings settings;
  private int spins;
  private int yields;
  private long parkNanos;

  BackoffIdleStrategy(Settings settings) {
    this.settings = settings;
    reset();
  }

  /** Called after work was found: the next wait starts again with spinning. */
  @Override
  public void reset() {
    spins = 0;
    yields = 0;
    parkNanos = settings.minParkNanos();
  }

  /** Waits one step: a spin, a yield or a park; always returns true, since this strategy never blocks. */
  @Override
  public boolean idle() {
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
    return true;
  }

  @Override
  public IdleStrategy fresh() {
    return new BackoffIdleStrategy(settings);
  }

  @Override
  public String cliName() {
    return "backoff";
  }

  @Override
  public String toString() {
    return cliName();
  }
}
