package dev.ipclab.parent;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Sends the parent's heartbeats and marks workers that have gone quiet as {@link WorkerState#HUNG} (and tells
 * the pool, which kills and replaces them), or back to {@link WorkerState#READY} when they speak again first.
 *
 * <p>It checks the silence twice per heartbeat interval and at least four times per timeout. Silence alone is not
 * enough: from half a timeout of silence on it also watches the worker through the kernel ({@link WorkerProgress}).
 * A worker is declared hung when
 * <ul>
 *   <li>it has been silent for longer than the timeout and is stopped (SIGSTOP, a debugger), or
 *   <li>it has been silent for longer than the timeout and in the last timeout neither used a CPU nor had its
 *       heartbeat thread wait for one (deadlocked, blocked), or
 *   <li>it has been silent for {@link #BUSY_LIMIT_TIMEOUTS} timeouts (at least {@link #BUSY_LIMIT_FLOOR_MS} ms),
 *       whatever it did: a worker that runs but cannot say so is of no use either.
 * </ul>
 * So a stopped worker is declared hung within 1.25 x the timeout, and a worker that is merely starved (its
 * heartbeat thread waiting behind 5,000 runnable threads, or behind a load of 25) is not, however short the
 * timeout. Where /proc cannot be read, silence alone decides.
 */
final class HeartbeatMonitor implements AutoCloseable {
  private static final Logger log = Logger.getLogger(HeartbeatMonitor.class.getName());

  private final Supplier<? extends Collection<WorkerProcess>> workers;
  private final long intervalNanos;
  private final long timeoutNanos;
  private final BiConsumer<WorkerProcess, Long> onHung;
  /** How many timeouts a busy but silent worker is given before it counts as hung all the same. */
  static final int BUSY_LIMIT_TIMEOUTS = 10;
  static final long BUSY_LIMIT_FLOOR_MS = 30_000;

  /** System.nanoTime, or a test's clock. */
  private final LongSupplier clock;
  private final long checkMs;
  private volatile ScheduledFuture<?> task;
  private final long busyLimitNanos;
  /** Per silent worker, what the kernel showed of it and when it last made progress; timer thread only. */
  private final Map<WorkerProcess, Watch> watched = new HashMap<>();
  private long lastBeatNanos;

  private static final class Watch {
    final WorkerProgress progress;
    long lastProgressNanos;

    Watch(long pid, long lastHeardNanos) {
      this.progress = new WorkerProgress(pid);
      this.lastProgressNanos = lastHeardNanos;
    }
  }

  /**
   * Starts watching on {@code timer}.
   *
   * @param workers the workers to watch now (asked at every check, since restarts replace them)
   * @param onHung told, on the timer thread, of each worker just marked hung and how many ms it was silent
   */
  static HeartbeatMonitor start(Supplier<? extends Collection<WorkerProcess>> workers,
      ScheduledExecutorService timer, long intervalMs, long timeoutMs, BiConsumer<WorkerProcess, Long> onHung) {
    HeartbeatMonitor monitor = new HeartbeatMonitor(workers, System::nanoTime, intervalMs, timeoutMs, onHung);
    monitor.task = timer.scheduleAtFixedRate(monitor::tick, monitor.checkMs, monitor.checkMs,
        TimeUnit.MILLISECONDS);
    return monitor;
  }

  /** A monitor that checks only when {@link #tick} is called, by the clock given: for tests. */
  HeartbeatMonitor(Supplier<? extends Collection<WorkerProcess>> workers, LongSupplier clock, long intervalMs,
      long timeoutMs, BiConsumer<WorkerProcess, Long> onHung) {
    this.workers = workers;
    this.clock = clock;
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    this.onHung = onHung;
    this.busyLimitNanos = Math.max(timeoutNanos * BUSY_LIMIT_TIMEOUTS,
        TimeUnit.MILLISECONDS.toNanos(BUSY_LIMIT_FLOOR_MS));
    this.checkMs = Math.max(1, Math.min(intervalMs / 2, timeoutMs / 4));
    this.lastBeatNanos = clock.getAsLong() - intervalNanos;
  }

  /** One check: heartbeats out if one is due, then each worker's silence judged. On the timer thread only. */
  void tick() {
    long now = clock.getAsLong();
    // Heartbeats go out once per interval, however often the silence is checked.
    boolean beat = now - lastBeatNanos >= intervalNanos - intervalNanos / 10;
    if (beat) {
      lastBeatNanos = now;
    }
    Collection<WorkerProcess> current = workers.get();
    watched.keySet().retainAll(current);
    for (WorkerProcess worker : current) {
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
      if (state == WorkerState.READY && silent > timeoutNanos / 2 && !stuck(worker, silent, now)) {
        continue;
      }
      if (silent <= timeoutNanos / 2) {
        watched.remove(worker);
      }
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

  /**
   * Whether a worker silent for {@code silent} ns may be declared hung now: it is stopped, made no progress in the
   * last timeout, or has been silent past the busy limit. Called from half a timeout of silence on, so that the
   * first look has been taken by the time the timeout is reached.
   */
  private boolean stuck(WorkerProcess worker, long silent, long now) {
    Watch watch = watched.computeIfAbsent(worker, w -> new Watch(w.pid(), now - silent));
    WorkerProgress.Sign sign = watch.progress.look();
    if (sign == WorkerProgress.Sign.PROGRESSING) {
      watch.lastProgressNanos = now;
    }
    if (silent <= timeoutNanos) {
      return false;
    }
    boolean stuck = switch (sign) {
      case STOPPED, UNKNOWN -> true;
      case STILL -> now - watch.lastProgressNanos > timeoutNanos;
      case PROGRESSING -> silent > busyLimitNanos;
    };
    if (!stuck) {
      log.fine(() -> worker + " silent for " + TimeUnit.NANOSECONDS.toMillis(silent)
          + " ms but busy or waiting for a CPU; not hung yet");
    }
    return stuck;
  }

  @Override
  public void close() {
    ScheduledFuture<?> t = task;
    if (t != null) {
      t.cancel(false);
    }
  }
}
