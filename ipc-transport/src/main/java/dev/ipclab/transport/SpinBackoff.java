package dev.ipclab.transport;

/**
 * The waiting budget of {@link IdleStrategy#SPIN}: busy-poll for {@value #SPIN_NANOS} ns after the last input,
 * then yield the CPU until {@value #YIELD_NANOS} ns, then give up and block in the kernel.
 *
 * <p>A round trip in spin mode takes a few microseconds, far inside the spin phase, so a busy channel never
 * sleeps; an idle one burns at most about a millisecond of CPU after its last frame, then costs nothing. Not
 * thread-safe: one per reading thread.
 */
final class SpinBackoff {
  /** Busy-polling, with {@link Thread#onSpinWait()}, for 100 µs after the last input. */
  static final long SPIN_NANOS = 100_000;
  /** Then {@link Thread#yield()} until 1 ms after the last input, then block. */
  static final long YIELD_NANOS = 1_000_000;

  private long idleSince = -1;

  /** Input arrived: the next wait starts a fresh budget. */
  void reset() {
    idleSince = -1;
  }

  /** One idle round: spins or yields and returns true, or returns false once the budget is spent (block now). */
  boolean idle() {
    long now = System.nanoTime();
    if (idleSince < 0) {
      idleSince = now;
    }
    long waited = now - idleSince;
    if (waited < SPIN_NANOS) {
      Thread.onSpinWait();
      return true;
    }
    if (waited < YIELD_NANOS) {
      Thread.yield();
      return true;
    }
    return false;
  }
}
