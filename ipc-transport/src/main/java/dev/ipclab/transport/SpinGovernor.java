package dev.ipclab.transport;

/**
 * Decides whether a spinning reader may spin at all, from how its last waits ended, so that spin never loses to
 * blocking.
 *
 * <p>Spinning pays only while a CPU is free for the spinner. When the spinner shares a CPU with the peer it waits
 * for (one CPU, or a machine busy with the JIT, GC or other processes), it takes the very time the peer needs to
 * answer, and the answer comes late: after the spin phase, while the reader yields. Such waits are <em>late</em>.
 * A window of {@value #WINDOW} waits with {@value #MAX_LATE} late ones pauses spinning: the reader blocks, as in
 * block mode, for {@value #FIRST_PAUSE_NANOS} ns, doubling on every failed retry up to {@value #MAX_PAUSE_NANOS}
 * ns; a window with fewer late waits resets the pause. A wait that spent the whole budget and blocked says only
 * that the channel was idle, and counts for neither. With fewer than two CPUs the reader never spins.
 *
 * <pre>
 *   SPINNING --(MAX_LATE late waits in a window)--> PAUSED (block) --(pause over)--> SPINNING
 * </pre>
 *
 * Deterministic: the caller passes the clock's readings. Not thread-safe: one per reading thread.
 */
final class SpinGovernor {
  /** Waits judged together. */
  static final int WINDOW = 32;
  /** Late waits in a window that pause spinning: a quarter, far above what a free CPU shows. */
  static final int MAX_LATE = 8;
  /** The first pause. */
  static final long FIRST_PAUSE_NANOS = 10_000_000;
  /** The longest pause: one retry a second costs at most {@value #MAX_LATE} late waits a second. */
  static final long MAX_PAUSE_NANOS = 1_000_000_000;

  private final boolean cpuToSpare;
  private int waits;
  private int late;
  private boolean paused;
  private long pausedUntil;
  private long pauseNanos = FIRST_PAUSE_NANOS;
  private long pauses;

  /** @param cpus the CPUs this process may run on ({@link Runtime#availableProcessors()}) */
  SpinGovernor(int cpus) {
    this.cpuToSpare = cpus >= 2;
  }

  /** Whether the wait that starts now may spin; false while paused and on a single CPU. */
  boolean maySpin(long now) {
    if (!cpuToSpare) {
      return false;
    }
    if (paused && now - pausedUntil >= 0) {
      paused = false; // retry
    }
    return !paused;
  }

  /** A spinning wait ended with input: {@code late} when it came after the spin phase. */
  void waitEnded(boolean lateInput, long now) {
    waits++;
    if (lateInput) {
      late++;
    }
    if (late >= MAX_LATE) {
      paused = true;
      pausedUntil = now + pauseNanos;
      pauseNanos = Math.min(pauseNanos * 2, MAX_PAUSE_NANOS);
      pauses++;
      SpinStats.paused();
      waits = 0;
      late = 0;
    } else if (waits >= WINDOW) {
      pauseNanos = FIRST_PAUSE_NANOS; // spinning paid for a whole window: the next pause starts short again
      waits = 0;
      late = 0;
    }
  }

  /** Times spinning was paused so far. */
  long pauses() {
    return pauses;
  }
}
