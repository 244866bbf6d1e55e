package dev.ipclab.parent;

import java.util.Collection;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Sends the parent's heartbeats and marks workers that have gone quiet as {@link WorkerState#HUNG} (and tells
 * the pool, which kills and replaces them), or back to {@link WorkerState#READY} when they speak again first.
 *
 * <p>It checks the silence twice per heartbeat interval and at least four times per timeout, so a worker is
 * declared hung at most a quarter of a timeout late: within 1.25 x the timeout of its last frame.
 */
final class HeartbeatMonitor implements AutoCloseable {
  private static final Logger log = Logger.getLogger(HeartbeatMonitor.class.getName());

  private final Supplier<? extends Collection<WorkerProcess>> workers;
  private final long intervalNanos;
  private final long timeoutNanos;
  private final BiConsumer<WorkerProcess, Long> onHung;
  private final ScheduledFuture<?> task;
  private long lastBeatNanos;

  /**
   * @param workers the workers to watch now (asked at every check, since restarts replace them)
   * @param onHung told, on the timer thread, of each worker just marked hung and how many ms it was silent
   */
  HeartbeatMonitor(Supplier<? extends Collection<WorkerProcess>> workers, ScheduledExecutorService timer,
      long intervalMs, long timeoutMs, BiConsumer<WorkerProcess, Long> onHung) {
    this.workers = workers;
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    this.onHung = onHung;
    long checkMs = Math.max(1, Math.min(intervalMs / 2, timeoutMs / 4));
    this.lastBeatNanos = System.nanoTime() - intervalNanos;
    this.task = timer.scheduleAtFixedRate(this::tick, checkMs, checkMs, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    long now = System.nanoTime();
    // Heartbeats go out once per interval, however often the silence is checked.
    boolean beat = now - lastBeatNanos >= intervalNanos - intervalNanos / 10;
    if (beat) {
      lastBeatNanos = now;
    }
    for (WorkerProcess worker : workers.get()) {
      WorkerState state = worker.state();
      if (state != WorkerState.READY && state != WorkerState.HUNG) {
        continue;
      }
      WorkerConnection connection = worker.connection();
      if (beat) {
        try {
          connection.heartbeat();
        } catch (RuntimeException e) {
          log.fine(() -> "heartbeat to " + worker + " not sent: " + e);
        }
      }
      long silent = now - connection.lastHeardNanos();
      if (state == WorkerState.READY && silent > timeoutNanos) {
        long silentMs = TimeUnit.NANOSECONDS.toMillis(silent);
        if (worker.markHung(silentMs)) {
          try {
            onHung.accept(worker, silentMs);
          } catch (RuntimeException e) {
            log.log(java.util.logging.Level.SEVERE, "handling hung " + worker + " failed", e);
          }
        }
      } else if (state == WorkerState.HUNG && silent <= timeoutNanos) {
        worker.markRecovered();
      }
    }
  }

  @Override
  public void close() {
    task.cancel(false);
  }
}
