package dev.ipclab.transport;

import java.util.function.LongSupplier;

/**
 * {@link IdleStrategy#SPIN}: busy-poll for {@value #SPIN_NANOS} ns after the last input, then yield the CPU until
 * {@value #YIELD_NANOS} ns, then give up and block in the kernel; and not spin at all while its
 * {@link SpinGovernor} finds the spinning in the way of the peer it waits for.
 *
 * <p>A round trip in spin mode takes a few microseconds, far inside the spin phase, so a busy channel never
 * sleeps; an idle one burns at most about a millisecond of CPU after its last frame, then costs nothing. Not
 * thread-safe: one per reading thread, from {@link #fresh()}.
 */
final class SpinningIdleStrategy implements IdleStrategy {
  /** Busy-polling, with {@link Thread#onSpinWait()}, for 100 µs after the last input. */
  static final long SPIN_NANOS = 100_000;
  /** Then {@link Thread#yield()} until 1 ms after the last input, then block. */
  static final long YIELD_NANOS = 1_000_000;

  /** How the wait in progress stands at its last {@link #idle()}. */
  private enum Phase { NONE, SPINNING, YIELDING, GAVE_UP }

  private final SpinGovernor governor;
  private final LongSupplier clock;
  private long idleSince;
  private long lastPoll;
  private Phase phase = Phase.NONE;
  private long spinNanos;

  SpinningIdleStrategy() {
    this(new SpinGovernor(Runtime.getRuntime().availableProcessors()), System::nanoTime);
  }

  SpinningIdleStrategy(SpinGovernor governor, LongSupplier clock) {
    this.governor = governor;
    this.clock = clock;
  }

  /** Input arrived: the wait in progress, if any, is judged, and the next wait starts a fresh budget. */
  @Override
  public void reset() {
    if (phase == Phase.SPINNING || phase == Phase.YIELDING) {
      governor.waitEnded(phase == Phase.YIELDING, lastPoll);
      spinNanos += lastPoll - idleSince;
      SpinStats.spun(lastPoll - idleSince);
    }
    phase = Phase.NONE;
  }

  /** One idle round: spins or yields and returns true, or returns false once the budget is spent (block now). */
  @Override
  public boolean idle() {
    long now = clock.getAsLong();
    if (phase == Phase.NONE) {
      idleSince = now;
      phase = governor.maySpin(now) ? Phase.SPINNING : Phase.GAVE_UP;
    }
    if (phase == Phase.GAVE_UP) {
      return false;
    }
    lastPoll = now;
    long waited = now - idleSince;
    if (waited < SPIN_NANOS) {
      Thread.onSpinWait();
      return true;
    }
    if (waited < YIELD_NANOS) {
      phase = Phase.YIELDING;
      Thread.yield();
      return true;
    }
    spinNanos += now - idleSince;
    SpinStats.spun(now - idleSince);
    phase = Phase.GAVE_UP;
    return false;
  }

  @Override
  public IdleStrategy fresh() {
    return new SpinningIdleStrategy();
  }

  @Override
  public String cliName() {
    return "spin";
  }

  @Override
  public String toString() {
    return cliName();
  }

  /** Nanoseconds spent spinning and yielding so far. */
  long spinNanos() {
    return spinNanos;
  }

  /** Times the governor paused spinning so far. */
  long pauses() {
    return governor.pauses();
  }
}
