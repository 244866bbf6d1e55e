package dev.ipclab.parent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The pool's one_for_one supervisor: it hears of dead and hung workers, kills the hung, respawns each slot after
 * its backoff while the restart intensity allows, recycles workers that ran their max tasks, and gives the pool up
 * loudly when the workers die faster than the intensity allows.
 */
final class Supervisor {
  private static final Logger log = Logger.getLogger(Supervisor.class.getName());

  /** Puts a fresh process into a slot (fork and exec; it does not wait for the handshake). */
  @FunctionalInterface
  interface Spawner {
    WorkerProcess spawn(WorkerSlot slot) throws IOException;
  }

  private final PoolSettings settings;
  private final List<WorkerSlot> slots;
  private final ScheduledExecutorService timer;
  private final TaskRouter router;
  private final PoolListener listener;
  private final Spawner spawner;
  /** Hands out a ready warm spare (and spawns another behind it), or null if none is ready. */
  private final java.util.function.Supplier<WorkerProcess> spares;
  private final BooleanSupplier closed;
  private final Runnable workersChanged;
  private final Path runDirectory;
  private final RestartIntensity intensity;
  private final CompletableFuture<PoolFailedException> failure = new CompletableFuture<>();
  /** Makes "the intensity admits it" and "counted" one step; each slot guards its own restart history. */
  private final Object restartLock = new Object();
  private final AtomicLong restarts = new AtomicLong();
  private final AtomicLong recycled = new AtomicLong();

  /**
   * @param closed whether the pool is closing: then nothing is restarted
   * @param workersChanged told after a slot got a new process (the parent record lists the pids)
   */
  Supervisor(PoolSettings settings, List<WorkerSlot> slots, ScheduledExecutorService timer, TaskRouter router,
      Spawner spawner, BooleanSupplier closed, Runnable workersChanged, Path runDirectory,
      java.util.function.Supplier<WorkerProcess> spares) {
    this.spares = spares;
    this.settings = settings;
    this.slots = slots;
    this.timer = timer;
    this.router = router;
    this.listener = settings.listener();
    this.spawner = spawner;
    this.closed = closed;
    this.workersChanged = workersChanged;
    this.runDirectory = runDirectory;
    this.intensity = new RestartIntensity(settings.maxRestarts(), settings.restartPeriod());
  }

  /** Watches the exit of a process just put into {@code slot}. */
  void watch(WorkerSlot slot, WorkerProcess worker) {
    worker.exit().thenAccept(exit -> onWorkerExit(slot, worker, exit));
  }

  CompletableFuture<PoolFailedException> failure() {
    return failure;
  }

  long restarts() {
    return restarts.get();
  }

  long recycled() {
    return recycled.get();
  }

  /** The heartbeat monitor marked {@code worker} hung: report it, kill it; its exit brings the restart. */
  void onHung(WorkerProcess worker, long silentMs) {
    if (worker.id() > slots.size()) { // a spare: kill it; its exit brings another spare
      worker.killHung("spare declared hung: nothing heard for " + silentMs + " ms");
      return;
    }
    WorkerSlot slot = slots.get(worker.id() - 1);
    if (slot.current() != worker || closed.getAsBoolean()) {
      return;
    }
    String cause = "declared hung: nothing heard for " + silentMs + " ms (heartbeat timeout "
        + settings.heartbeatTimeout().toMillis() + " ms); stopped (SIGSTOP), stuck or starved";
    reportDown(slot, worker, cause);
    if (worker.killHung(cause)) {
      log.warning(() -> worker.name() + " pid " + worker.pid() + " " + cause + "; killed with SIGKILL, its tasks"
          + " go to other workers and a replacement is spawned");
    }
  }

  private void reportDown(WorkerSlot slot, WorkerProcess worker, String cause) {
    if (slot.firstReportOfDown(worker.pid())) {
      listener.workerDown(slot.id, worker.pid(), cause, System.nanoTime());
    }
  }

  /** A process of this pool exited: if it was the slot's current one and nobody asked for it, restart the slot. */
  void onWorkerExit(WorkerSlot slot, WorkerProcess worker, ExitDescription exit) {
    if (closed.getAsBoolean() || failure.isDone() || slot.current() != worker) {
      return; // closing, given up, or a recycled process leaving as asked
    }
    reportDown(slot, worker, exit.summary());
    restart(slot, worker, exit.summary());
  }

  /** Counts the restart against the intensity, then respawns after the slot's backoff; or gives the pool up. */
  private void restart(WorkerSlot slot, WorkerProcess old, String cause) {
    long delayMs;
    WorkerProcess spare;
    synchronized (restartLock) {
      if (closed.getAsBoolean() || failure.isDone()) {
        return;
      }
      if (!intensity.admit(slot.current().name() + " pid " + old.pid(), cause)) {
        giveUp();
        return;
      }
      restarts.incrementAndGet();
      spare = spares.get();
      int n = slot.restarted(spare != null);
      long initial = settings.restartBackoffInitial().toMillis();
      delayMs = Math.min(settings.restartBackoffMax().toMillis(), initial << Math.min(n, 20));
    }
    if (spare != null) {
      // A ready spare: no backoff (there is no JVM start to throttle) and no wait for a handshake.
      takeOver(slot, old, spare, cause);
      return;
    }
    log.info(() -> "restarting worker-" + slot.id + " in " + delayMs + " ms (restart " + slot.restarts()
        + " of this slot) after: " + cause);
    try {
      timer.schedule(() -> respawn(slot, old, cause), delayMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // the pool is closing
    }
  }

  /** A ready spare fills {@code slot} in place of {@code old}; the slot's tasks go to it at once. */
  private void takeOver(WorkerSlot slot, WorkerProcess old, WorkerProcess spare, String cause) {
    spare.takeSlot(slot.id);
    router.fill(slot, spare);
    workersChanged.run();
    watch(slot, spare);
    log.info(() -> spare.name() + " pid " + spare.pid() + " (a ready spare) replaces pid " + old.pid() + " ("
        + cause + ")");
    listener.workerRestarted(slot.id, old.pid(), spare.pid(), System.nanoTime());
    router.workerReady();
  }

  /** On the timer thread: starts the process (fork and exec only); its readiness is a future, not waited for. */
  private void respawn(WorkerSlot slot, WorkerProcess old, String cause) {
    if (closed.getAsBoolean() || failure.isDone()) {
      return;
    }
    WorkerProcess fresh;
    try {
      fresh = spawner.spawn(slot);
    } catch (IOException | RuntimeException e) {
      if (!closed.getAsBoolean()) {
        log.log(Level.WARNING, "could not respawn worker-" + slot.id, e);
        restart(slot, old, "respawn failed: " + e.getMessage());
      }
      return;
    }
    workersChanged.run();
    watch(slot, fresh);
    fresh.ready().thenAccept(w -> {
      log.info(() -> w.name() + " pid " + w.pid() + " replaces pid " + old.pid() + " (" + cause + ")");
      listener.workerRestarted(slot.id, old.pid(), w.pid(), System.nanoTime());
      router.workerReady();
      // Backoff resets once a replacement has stayed up for the longest backoff.
      scheduleQuietly(() -> slot.stayedUp(w), settings.restartBackoffMax().toMillis());
    });
  }

  /**
   * Max tasks per child reached, or the worker grew past its memory limit, and its last task done: replace the
   * worker at once, then let it go gracefully.
   */
  void recycle(WorkerSlot slot, WorkerProcess old) {
    if (closed.getAsBoolean() || failure.isDone() || slot.current() != old) {
      return;
    }
    String reason = "recycled: " + slot.recycleReason(); // read now: the replacement's fill() clears it
    WorkerProcess spare = spares.get();
    if (spare != null) {
      recycled.incrementAndGet();
      spare.takeSlot(slot.id);
      router.fill(slot, spare);
      workersChanged.run();
      watch(slot, spare);
      router.workerReady();
      Thread.ofVirtual().name("ipclab-recycle-" + slot.id).start(
          () -> old.shutdown(settings.shutdownGrace(), reason));
      return;
    }
    Thread.ofVirtual().name("ipclab-recycle-" + slot.id).start(() -> {
      try {
        WorkerProcess fresh = spawner.spawn(slot);
        recycled.incrementAndGet();
        workersChanged.run();
        watch(slot, fresh);
        fresh.ready().thenAccept(w -> router.workerReady());
      } catch (IOException | RuntimeException e) {
        // The old process is still the slot's: its exit below brings a restart, with backoff and intensity.
        if (!closed.getAsBoolean()) {
          log.log(Level.WARNING, "could not spawn the replacement of recycled " + old, e);
        }
      }
      old.shutdown(settings.shutdownGrace(), reason);
    });
  }

  /** More restarts than the intensity allows: stop restarting, fail every task, and say so loudly. */
  private void giveUp() {
    StringBuilder why = new StringBuilder("the pool gave up: ").append(intensity.recent().size())
        .append(" worker restarts within ").append(intensity.period().toMillis()).append(" ms exceed its restart")
        .append(" intensity of ").append(intensity.maxRestarts()).append(". The restarts and their causes:");
    for (RestartIntensity.Restart r : intensity.recent()) {
      why.append(System.lineSeparator()).append("  - ").append(r.worker()).append(": ").append(firstLine(r.cause()));
    }
    why.append(System.lineSeparator()).append("Fix what kills the workers (see their logs in ")
        .append(runDirectory).append(" with keepLogs), or raise restartIntensity.");
    PoolFailedException e = new PoolFailedException(why.toString());
    if (failure.complete(e)) {
      log.severe(e.getMessage());
      router.shut(e, e);
    }
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private void scheduleQuietly(Runnable r, long delayMs) {
    try {
      timer.schedule(r, delayMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // the pool is closing
    }
  }
}
