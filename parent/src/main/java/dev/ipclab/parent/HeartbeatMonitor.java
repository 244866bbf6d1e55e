package dev.ipclab.parent;

import java.util.Collection;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Sends the parent's heartbeats and marks workers that have gone quiet as {@link WorkerState#HUNG}, and back to
 * {@link WorkerState#READY} when they speak again.
 */
final class HeartbeatMonitor implements AutoCloseable {
  private static final Logger log = Logger.getLogger(HeartbeatMonitor.class.getName());

  private final Collection<WorkerProcess> workers;
  private final long timeoutNanos;
  private final ScheduledFuture<?> task;

  HeartbeatMonitor(Collection<WorkerProcess> workers, ScheduledExecutorService timer, long intervalMs,
      long timeoutMs) {
    this.workers = workers;
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    this.task = timer.scheduleAtFixedRate(this::tick, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    long now = System.nanoTime();
    for (WorkerProcess worker : workers) {
      WorkerState state = worker.state();
      if (state != WorkerState.READY && state != WorkerState.HUNG) {
        continue;
      }
      WorkerConnection connection = worker.connection();
      try {
        connection.heartbeat();
      } catch (RuntimeException e) {
        log.fine(() -> "heartbeat to " + worker + " not sent: " + e);
      }
      long silent = now - connection.lastHeardNanos();
      if (state == WorkerState.READY && silent > timeoutNanos) {
        worker.markHung(TimeUnit.NANOSECONDS.toMillis(silent));
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
