package dev.ipclab.parent;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * A pool's warm spares: workers spawned ahead, never routed to, handed to the supervisor so that a dead worker's
 * slot is filled at once, with no JVM start to wait for. A spare that dies as a spare is replaced after a backoff.
 */
final class WarmSpares {
  private static final Logger log = Logger.getLogger(WarmSpares.class.getName());

  /** Spawns the process of spare {@code id}; called under the pool's lock. */
  @FunctionalInterface
  interface Spawner {
    WorkerProcess spawn(int id) throws IOException;
  }

  /** The pool's lock: it spawns under it, and switches to closed under it, so no spare outlives the close. */
  private final Object poolLock;
  private final PoolSettings settings;
  private final ScheduledExecutorService timer;
  private final Spawner spawner;
  /** Whether the pool is closed or gave up: no spare is spawned then. */
  private final BooleanSupplier stopped;
  /** Whether the pool is closed: a spare's exit is then expected. */
  private final BooleanSupplier closed;
  /** Oldest first: spawned, maybe not yet ready. */
  private final List<WorkerProcess> spares = new CopyOnWriteArrayList<>();
  // Under the pool's lock.
  /** The last id given to a spare; spares are numbered after the slots. */
  private int lastId;
  /** Spares that died as spares in a row; backs their respawn off. */
  private int failures;

  WarmSpares(Object poolLock, PoolSettings settings, ScheduledExecutorService timer, Spawner spawner,
      BooleanSupplier stopped, BooleanSupplier closed) {
    this.poolLock = poolLock;
    this.settings = settings;
    this.timer = timer;
    this.spawner = spawner;
    this.stopped = stopped;
    this.closed = closed;
    this.lastId = settings.workers();
  }

  /** The spares now, oldest first, ready or still starting. */
  List<WorkerProcess> all() {
    return List.copyOf(spares);
  }

  /** The spare with worker id {@code id}, or null. */
  WorkerProcess byId(int id) {
    for (WorkerProcess spare : spares) {
      if (spare.id() == id) {
        return spare;
      }
    }
    return null;
  }

  /** Spawns one spare, unless the pool is closed or gave up. */
  void spawnOne() {
    synchronized (poolLock) {
      if (stopped.getAsBoolean()) {
        return;
      }
      int id = ++lastId;
      WorkerProcess spare;
      try {
        spare = spawner.spawn(id);
      } catch (IOException | RuntimeException e) {
        log.warning(() -> "could not spawn a spare: " + e.getMessage());
        respawnLater();
        return;
      }
      spares.add(spare);
      spare.ready().thenRun(() -> {
        synchronized (poolLock) {
          failures = 0;
        }
      });
      spare.exit().whenComplete((exit, error) -> {
        // It died while still a spare (a taken spare is no longer in the list), and not because the pool closed.
        if (spares.remove(spare) && !closed.getAsBoolean()) {
          log.warning(() -> "spare " + spare.name() + " pid " + spare.pid() + " exited before it was needed: "
              + (exit == null ? error : exit.summary()));
          respawnLater();
        }
      });
    }
  }

  /**
   * The supervisor's call: hands out the oldest READY spare (no longer a spare then) and spawns a new one behind
   * it; null if no spare is ready.
   */
  WorkerProcess take() {
    for (WorkerProcess spare : spares) {
      if (spare.state() == WorkerState.READY && spares.remove(spare)) {
        Thread.ofVirtual().name("ipclab-spare").start(this::spawnOne); // fork and exec off the caller
        return spare;
      }
    }
    return null;
  }

  private void respawnLater() {
    long delayMs;
    synchronized (poolLock) {
      int n = failures++;
      delayMs = Math.min(settings.restartBackoffMax().toMillis(),
          settings.restartBackoffInitial().toMillis() << Math.min(n, 20));
    }
    try {
      timer.schedule(this::spawnOne, delayMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // the pool is closing
    }
  }
}
