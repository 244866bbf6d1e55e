package dev.ipclab.parent;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The restart budget of a pool, as OTP supervisors count it: at most {@code maxRestarts} restarts within
 * {@code period}. One more means the workers keep dying for a reason a restart will not fix, and the pool gives
 * up instead of looping.
 */
final class RestartIntensity {
  /** One restart: when, of which worker, and why. */
  record Restart(long nanos, String worker, String cause) {}

  private final int maxRestarts;
  private final Duration period;
  private final ArrayDeque<Restart> recent = new ArrayDeque<>();

  RestartIntensity(int maxRestarts, Duration period) {
    this.maxRestarts = maxRestarts;
    this.period = period;
  }

  /** Records a restart about to happen; false if it is one too many for the period. */
  synchronized boolean admit(String worker, String cause) {
    long now = System.nanoTime();
    while (!recent.isEmpty() && now - recent.peekFirst().nanos() > period.toNanos()) {
      recent.pollFirst();
    }
    recent.addLast(new Restart(now, worker, cause));
    return recent.size() <= maxRestarts;
  }

  /** The restarts within the period, oldest first, the refused one last. */
  synchronized List<Restart> recent() {
    return List.copyOf(recent);
  }

  int maxRestarts() {
    return maxRestarts;
  }

  Duration period() {
    return period;
  }
}
