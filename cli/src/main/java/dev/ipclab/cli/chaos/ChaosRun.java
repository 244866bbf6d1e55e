package dev.ipclab.cli.chaos;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.PoolFailedException;
import dev.ipclab.parent.PoolListener;
import dev.ipclab.parent.PoolStats;
import dev.ipclab.parent.TaskHandle;
import dev.ipclab.parent.TaskSpec;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.WorkerPoolBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * One chaos run: a stream of {@code chaos.sleep-echo} tasks with unique payloads on a real pool, faults injected
 * at seeded random times from a second thread, then the pool closed and the invariants checked against the OS.
 *
 * <pre>
 *   start pool ─▶ submit tasks at --rate  ┐ for --duration ─▶ wait for every outcome ─▶ every slot READY and
 *                 inject a fault every ~N s┘                    answering ─▶ close pool ─▶ check
 * </pre>
 */
public final class ChaosRun implements PoolListener {
  private static final Logger log = Logger.getLogger(ChaosRun.class.getName());
  /** The pool's own deadline per task: far above a hung worker's detection plus a retry, so it rarely strikes. */
  private static final Duration TASK_DEADLINE = Duration.ofSeconds(20);
  /** After the stream stops, how long the run waits for the last outcomes: two deadlines. */
  private static final Duration DRAIN = TASK_DEADLINE.multipliedBy(2);
  private static final double NOT_RETRYABLE_SHARE = 0.1;
  private static final double CANCELLED_SHARE = 0.03;
  private static final int MAX_TASK_SLEEP_MILLIS = 40;
  /**
   * How long a starting worker may take to say hello, and all of them to be ready. A JVM's start is CPU-bound:
   * on two cores shared with builds (load 35 seen) it took 31 s, past the pool's default 10 s, and each refused
   * start cost a restart. A slow start is not a fault this run injects, so it is given time.
   */
  private static final Duration HANDSHAKE = Duration.ofSeconds(60);
  private static final Duration READY = Duration.ofSeconds(120);

  private final ChaosSettings settings;
  private final PrintStream progress;
  private final long parentPid = ProcessHandle.current().pid();
  private final String marker;
  private final TaskLedger ledger = new TaskLedger();
  private final HeapSampler heap = new HeapSampler();
  /** The injected leak of {@link ChaosSettings#leakBytes()}: 1 MiB arrays held until the heap is measured. */
  private byte[][] leak;
  private final List<InjectedFault> faults = new CopyOnWriteArrayList<>();
  private final Detections detections = new Detections();
  private final Map<Long, Optional<Instant>> seenWorkers = new ConcurrentHashMap<>();
  private final List<CompletableFuture<?>> outcomes = new ArrayList<>();
  private volatile boolean injecting = true;
  private volatile FaultInjector injector;
  private long startNanos;

  /** @param progress where the progress lines go: stderr, never the summary's stdout */
  public ChaosRun(ChaosSettings settings, PrintStream progress) {
    this.settings = settings;
    this.progress = progress;
    this.marker = dev.ipclab.transport.protocol.Protocol.CHAOS_RUN_PROPERTY + "=" + parentPid + "-"
        + Long.toHexString(System.nanoTime());
  }

  /** Runs the whole thing and returns what it measured; the pool is closed when this returns. */
  public ChaosSummary run() throws IOException, InterruptedException {
    long runStart = System.nanoTime();
    leak = new byte[Math.toIntExact(settings.leakBytes() >> 20)][];
    for (int i = 0; i < leak.length; i++) {
      leak[i] = new byte[1 << 20];
    }
    int expectedFaults = (int) (settings.duration().toMillis() / Math.max(1, settings.faultInterval().toMillis())) + 1;
    WorkerPoolBuilder builder = WorkerPool.builder()
        // The chaos kinds' module; its workers get the fault hooks through -Dipclab.chaos.run below.
        .addClassPath(WorkerPoolBuilder.codeSource(dev.ipclab.cli.chaos.worker.ChaosTasks.class))
        .inspectable(true)
        .closeOnJvmShutdown(true)
        .workers(settings.workers())
        .transport(settings.transport())
        .heartbeat(settings.heartbeat(), settings.heartbeatTimeout())
        .handshakeTimeout(HANDSHAKE)
        .readyTimeout(READY)
        // The marker on every worker's command line arms the chaos task kinds in it, and lets the leftover check
        // find any process of this run in /proc.
        .jvmArgs(List.of("-D" + marker))
        // Every fault may cost a restart; the intensity limit is there to stop a crash loop, not this run.
        .restartIntensity(2 * expectedFaults + 10, settings.duration().plus(Duration.ofMinutes(1)))
        .listener(this);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ipclab-chaos-timer");
      t.setDaemon(true);
      return t;
    });
    Path runDirectory;
    PoolStats stats;
    RecoveryProbe recovery;
    long restarts;
    String poolFailure = null;
    Thread injectorThread;
    try (WorkerPool pool = builder.start()) {
      runDirectory = pool.runDirectory();
      pool.workers().forEach(w -> seen(w.pid()));
      startNanos = System.nanoTime();
      timer.scheduleAtFixedRate(heap::sample, 0, 100, TimeUnit.MILLISECONDS);
      timer.scheduleAtFixedRate(() -> progress(pool), 3, 3, TimeUnit.SECONDS);
      timer.scheduleAtFixedRate(() -> pool.workers().forEach(w -> seen(w.pid())), 0, 200, TimeUnit.MILLISECONDS);
      injectorThread = Thread.ofPlatform().name("ipclab-chaos-injector").daemon().start(() -> injectFaults(pool));
      try {
        submitTasks(pool);
      } catch (PoolFailedException e) {
        poolFailure = e.getMessage();
      }
      injecting = false;
      injectorThread.interrupt();
      injectorThread.join(10_000);
      awaitOutcomes();
      awaitDetections();
      // Patience for a respawn: the longest backoff, then a hello on a starved machine.
      stats = settledStats(pool);
      // After the counters settle: the probe's echoes are tasks too, and the ledger does not list them.
      recovery = RecoveryProbe.run(pool, settings.workers(), HANDSHAKE.plusSeconds(15));
      // After the probe saw every slot READY: a hung worker is reported down when it is declared hung, but its
      // restart is counted only when its killed process's exit arrives, which can come after the counters above.
      restarts = pool.stats().restarts();
      if (pool.failure().isDone()) {
        poolFailure = pool.failure().join().getMessage();
      }
      pool.workers().forEach(w -> seen(w.pid()));
    } finally {
      injecting = false;
      timer.shutdownNow();
    }
    List<Invariant> leftovers = new Leftovers(marker, seenWorkers, runDirectory).check();
    long afterGc = heap.usedAfterGcBytes();
    java.lang.ref.Reference.reachabilityFence(leak);
    return summarize(stats, restarts, recovery, poolFailure, leftovers, afterGc, System.nanoTime() - runStart);
  }

  private void submitTasks(WorkerPool pool) throws InterruptedException {
    Random random = new Random(settings.seed() * 31 + 7); // the tasks' own stream, apart from the faults'
    long end = startNanos + settings.duration().toNanos();
    double gapNanos = 1e9 / settings.tasksPerSecond();
    for (long i = 0; ; i++) {
      long due = startNanos + (long) (i * gapNanos);
      if (due >= end) {
        return;
      }
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      if (pool.failure().isDone()) {
        return;
      }
      String payload = random.nextInt(MAX_TASK_SLEEP_MILLIS + 1) + " chaos-task-" + i + " seed-" + settings.seed()
          + " " + Long.toHexString(random.nextLong());
      boolean retryable = random.nextDouble() >= NOT_RETRYABLE_SHARE;
      TaskSpec spec = TaskSpec.of("chaos.sleep-echo", ByteString.copyFromUtf8(payload)).withDeadline(TASK_DEADLINE);
      TaskHandle handle = pool.submit(retryable ? spec : spec.notRetryable());
      ledger.submitted(handle, payload, retryable);
      outcomes.add(handle.outcome());
      if (random.nextDouble() < CANCELLED_SHARE) {
        handle.cancel("chaos: cancelled by the run to exercise cancellation");
      }
    }
  }

  private void injectFaults(WorkerPool pool) {
    Random random = new Random(settings.seed());
    long heartbeatTimeout = settings.heartbeatTimeout().toMillis();
    FaultInjector injector = new FaultInjector(pool, settings.workers(), random, startNanos,
        heartbeatTimeout / 2);
    this.injector = injector;
    long end = startNanos + settings.duration().toNanos();
    try {
      while (injecting) {
        long gap = (long) (settings.faultInterval().toNanos() * (0.5 + random.nextDouble()));
        TimeUnit.NANOSECONDS.sleep(gap);
        Optional<InjectedFault> fault = Optional.empty();
        while (injecting && System.nanoTime() < end && (fault = injector.injectNext()).isEmpty()) {
          Thread.sleep(100); // too few READY workers right now: they are being replaced
        }
        if (!injecting || System.nanoTime() >= end) {
          return;
        }
        faults.add(fault.orElseThrow());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the run is over
    }
  }

  /** Waits until every task has its outcome, or the drain time is up (what is left is then reported). */
  private void awaitOutcomes() throws InterruptedException {
    long deadline = System.nanoTime() + DRAIN.toNanos();
    List<CompletableFuture<?>> all = new ArrayList<>(outcomes);
    if (injector != null) {
      all.addAll(injector.tasks()); // the pool counts the fault tasks too
    }
    for (CompletableFuture<?> f : all) {
      try {
        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
        // an outcome all the same; the ledger judges it
      } catch (TimeoutException e) {
        log.severe(() -> "chaos: " + ledger.unanswered() + " tasks still have no outcome " + DRAIN.toSeconds()
            + " s after the last was submitted");
        return;
      }
    }
  }

  /**
   * The pool's counters once every task it took is counted as ended, waiting up to 2 s: the pool counts an ending
   * just after it completes the task's future, so a read right after the last outcome can be one behind.
   */
  private static PoolStats settledStats(WorkerPool pool) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    PoolStats s = pool.stats();
    while (s.completed() + s.failed() + s.cancelled() < s.submitted() && System.nanoTime() < deadline) {
      Thread.sleep(10);
      s = pool.stats();
    }
    return s;
  }

  /**
   * Waits until the pool has reported down every worker a fault took down, up to twice the heartbeat timeout
   * plus 5 s: a fault in the run's last moments (a stopped worker with no task on it, say) must be judged on the
   * pool's detection, not cut short by the close.
   */
  private void awaitDetections() throws InterruptedException {
    long deadline = System.nanoTime() + settings.heartbeatTimeout().multipliedBy(2).plusSeconds(5).toNanos();
    while (System.nanoTime() < deadline && faults.stream()
        .anyMatch(f -> f.kind().takesWorkerDown(settings.transport()) && detections.afterMillis(f) == null)) {
      Thread.sleep(50);
    }
  }

  private void seen(long pid) {
    seenWorkers.computeIfAbsent(pid, p -> ProcessHandle.of(p).flatMap(h -> h.info().startInstant()));
  }

  private void progress(WorkerPool pool) {
    PoolStats s = pool.stats();
    long elapsed = (System.nanoTime() - startNanos) / 1_000_000_000;
    progress.printf(Locale.ROOT, "chaos %d/%d s: submitted %d, completed %d, failed %d, cancelled %d, queued %d,"
            + " in flight %d, faults %d, restarts %d, heap %.0f MB%n",
        elapsed, settings.duration().toSeconds(), s.submitted(), s.completed(), s.failed(), s.cancelled(),
        s.queued(), s.inFlight(), faults.size(), s.restarts(), heap.maxUsedBytes() / 1e6);
    progress.flush();
  }

  @Override
  public void workerDown(int workerId, long pid, String cause, long detectedNanos) {
    detections.down(pid, detectedNanos);
  }

  @Override
  public void workerRestarted(int workerId, long oldPid, long newPid, long readyNanos) {
    seen(newPid);
  }

  private ChaosSummary summarize(PoolStats stats, long restarts, RecoveryProbe recovery, String poolFailure,
      List<Invariant> leftovers, long afterGc, long elapsedNanos) {
    Map<String, Long> byKind = new LinkedHashMap<>();
    for (FaultKind k : FaultKind.values()) {
      byKind.put(k.label(), faults.stream().filter(f -> f.kind() == k).count());
    }
    List<ChaosSummary.Fault> faultRows = new ArrayList<>();
    Map<String, Double> detectionByKind = new LinkedHashMap<>();
    Map<String, List<Double>> detectionsOfKind = new LinkedHashMap<>();
    List<String> undetected = new ArrayList<>();
    double largest = 0;
    for (InjectedFault f : faults) {
      // Only for faults that take the worker down: a slow reader's worker may go down later from another fault.
      boolean down = f.kind().takesWorkerDown(settings.transport());
      Double ms = down ? detections.afterMillis(f) : null;
      faultRows.add(new ChaosSummary.Fault(f.atMillis(), f.kind().label(), f.workerId(), f.pid(), f.detail(), ms));
      if (down && ms == null) {
        undetected.add(f.kind().label() + " of pid " + f.pid() + " at " + f.atMillis() + " ms");
      } else if (down) {
        detectionByKind.merge(f.kind().label(), ms, Math::max);
        detectionsOfKind.computeIfAbsent(f.kind().label(), k -> new ArrayList<>()).add(ms);
        largest = f.kind().timed() ? Math.max(largest, ms) : largest;
      }
    }

    Map<String, Long> poolStats = new LinkedHashMap<>();
    poolStats.put("submitted", stats.submitted());
    poolStats.put("completed", stats.completed());
    poolStats.put("failed", stats.failed());
    poolStats.put("cancelled", stats.cancelled());
    poolStats.put("retried", stats.retried());
    poolStats.put("restarts", restarts);
    long submitted = ledger.submitted();
    ChaosSummary.Tasks tasks = new ChaosSummary.Tasks(submitted, ledger.count(TaskLedger.Ending.COMPLETED),
        ledger.retried(), ledger.count(TaskLedger.Ending.FAILED), ledger.failedByCause(),
        ledger.count(TaskLedger.Ending.CANCELLED), submitted - ledger.retryableCount(), poolStats);
    long bound = settings.heapBoundBytes();
    ChaosSummary.Heap heapRecord = new ChaosSummary.Heap(bound / (1024 * 1024),
        InvariantChecks.mb(heap.maxUsedBytes()), InvariantChecks.mb(afterGc), heap.samples());

    List<Invariant> invariants = new ArrayList<>();
    invariants.addAll(InvariantChecks.tasks(ledger, stats, injector == null ? new long[4] : injector.flood(),
        injector == null ? List.of() : injector.tasks(),
        recovery));
    invariants.addAll(InvariantChecks.supervision(undetected, largest, restarts, poolFailure));
    invariants.addAll(leftovers);
    invariants.add(InvariantChecks.heap(heap.maxUsedBytes(), afterGc, bound));
    boolean pass = invariants.stream().allMatch(Invariant::pass);
    return new ChaosSummary(parentPid, settings.transport().cliName(), settings.seed(), settings.workers(),
        settings.duration().toMillis(), elapsedNanos / 1_000_000, tasks, Collections.unmodifiableList(faultRows),
        byKind, restarts, detectionByKind, Detections.medians(detectionsOfKind), largest, undetected.size(),
        heapRecord, poolFailure, List.copyOf(invariants), pass);
  }
}
