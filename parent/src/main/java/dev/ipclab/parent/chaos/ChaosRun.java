package dev.ipclab.parent.chaos;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.PoolFailedException;
import dev.ipclab.parent.PoolListener;
import dev.ipclab.parent.PoolStats;
import dev.ipclab.parent.TaskHandle;
import dev.ipclab.parent.TaskSpec;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.WorkerProcess;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * One chaos run: a stream of {@code chaos.sleep-echo} tasks with unique payloads on a real pool, faults injected
 * at seeded random times from a second thread, then the pool closed and the invariants checked against the OS.
 *
 * <pre>
 *   start pool ─▶ submit tasks at --rate  ┐ for --duration ─▶ wait for every outcome ─▶ close pool ─▶ check
 *                 inject a fault every ~N s┘
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

  private final ChaosSettings settings;
  private final PrintStream progress;
  private final long parentPid = ProcessHandle.current().pid();
  private final String marker;
  private final TaskLedger ledger = new TaskLedger();
  private final HeapSampler heap = new HeapSampler();
  private final List<InjectedFault> faults = new CopyOnWriteArrayList<>();
  /** Every pool-reported worker down: pid to the detection times, in order. */
  private final Map<Long, List<Long>> downs = new ConcurrentHashMap<>();
  private final Map<Long, Optional<Instant>> seenWorkers = new ConcurrentHashMap<>();
  private final AtomicLong restartsSeen = new AtomicLong();
  private final AtomicLong retriesSeen = new AtomicLong();
  private final List<CompletableFuture<?>> outcomes = new ArrayList<>();
  private volatile boolean injecting = true;
  private volatile FaultInjector injector;
  private long startNanos;

  /** @param progress where the progress lines go: stderr, never the summary's stdout */
  public ChaosRun(ChaosSettings settings, PrintStream progress) {
    this.settings = settings;
    this.progress = progress;
    this.marker = "ipclab.chaos.run=" + parentPid + "-" + Long.toHexString(System.nanoTime());
  }

  /** Runs the whole thing and returns what it measured; the pool is closed when this returns. */
  public ChaosSummary run() throws IOException, InterruptedException {
    long runStart = System.nanoTime();
    int expectedFaults = (int) (settings.duration().toMillis() / Math.max(1, settings.faultInterval().toMillis())) + 1;
    WorkerPool.Builder builder = WorkerPool.builder()
        .workers(settings.workers())
        .transport(settings.transport())
        .heartbeat(settings.heartbeat(), settings.heartbeatTimeout())
        // A marker on every worker's command line, so the leftover check finds any process of this run by /proc.
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
      stats = pool.stats();
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
    return summarize(stats, poolFailure, leftovers, afterGc, System.nanoTime() - runStart);
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
    FaultInjector injector = new FaultInjector(pool, random, startNanos, heartbeatTimeout / 2);
    this.injector = injector;
    long end = startNanos + settings.duration().toNanos();
    try {
      while (injecting) {
        long gap = (long) (settings.faultInterval().toNanos() * (0.5 + random.nextDouble()));
        TimeUnit.NANOSECONDS.sleep(gap);
        Optional<InjectedFault> fault = Optional.empty();
        while (injecting && System.nanoTime() < end && (fault = injector.injectNext()).isEmpty()) {
          Thread.sleep(100); // no READY worker right now: every one is being replaced
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
    try {
      CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
          .exceptionally(e -> null)
          .get(DRAIN.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.severe(() -> "chaos: " + ledger.unanswered() + " tasks still have no outcome " + DRAIN.toSeconds()
          + " s after the last was submitted");
    } catch (java.util.concurrent.ExecutionException e) {
      // exceptionally() above turns every failure into a completion; outcomes are judged by the ledger
    }
    // allOf completes when all are done, failed or not; wait for the rest if one failed early.
    for (CompletableFuture<?> f : outcomes) {
      try {
        f.get(Math.max(0, DRAIN.toMillis()), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
        // an outcome all the same
      } catch (TimeoutException e) {
        return;
      }
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
    downs.computeIfAbsent(pid, p -> new CopyOnWriteArrayList<>()).add(detectedNanos);
  }

  @Override
  public void workerRestarted(int workerId, long oldPid, long newPid, long readyNanos) {
    restartsSeen.incrementAndGet();
    seen(newPid);
  }

  @Override
  public void taskRetried(long taskId, int attempt, String cause) {
    retriesSeen.incrementAndGet();
  }

  /** Whether this fault, on this transport, certainly takes its worker down. */
  private boolean takesDown(FaultKind kind) {
    return kind.takesWorkerDown() || kind == FaultKind.GARBAGE
        || (kind == FaultKind.STDOUT && settings.transport() == dev.ipclab.transport.TransportKind.PIPE);
  }

  /** Milliseconds from the fault to the first worker-down of its pid after it, or null if none came. */
  private Double detection(InjectedFault fault) {
    List<Long> times = downs.getOrDefault(fault.pid(), List.of());
    return times.stream().filter(t -> t >= fault.atNanos()).findFirst()
        .map(t -> Math.round((t - fault.atNanos()) / 1e4) / 100.0)
        .orElse(null);
  }

  private ChaosSummary summarize(PoolStats stats, String poolFailure, List<Invariant> leftovers, long afterGc,
      long elapsedNanos) {
    Map<String, Long> byKind = new LinkedHashMap<>();
    for (FaultKind k : FaultKind.values()) {
      byKind.put(k.label(), faults.stream().filter(f -> f.kind() == k).count());
    }
    List<ChaosSummary.Fault> faultRows = new ArrayList<>();
    Map<String, Double> detectionByKind = new LinkedHashMap<>();
    long undetected = 0;
    List<String> undetectedFaults = new ArrayList<>();
    for (InjectedFault f : faults) {
      // Only for faults that take the worker down: a slow reader's worker may go down later from another fault.
      Double ms = takesDown(f.kind()) ? detection(f) : null;
      faultRows.add(new ChaosSummary.Fault(f.atMillis(), f.kind().label(), f.workerId(), f.pid(), f.detail(), ms));
      if (takesDown(f.kind())) {
        if (ms == null) {
          undetected++;
          undetectedFaults.add(f.kind().label() + " of pid " + f.pid() + " at " + f.atMillis() + " ms");
        } else {
          detectionByKind.merge(f.kind().label(), ms, Math::max);
        }
      }
    }
    double largest = detectionByKind.entrySet().stream()
        .filter(e -> List.of("sigkill", "sigstop", "exit").contains(e.getKey()))
        .mapToDouble(Map.Entry::getValue).max().orElse(0);

    long submitted = ledger.submitted();
    long completed = ledger.count(TaskLedger.Ending.COMPLETED);
    long failed = ledger.count(TaskLedger.Ending.FAILED);
    long cancelled = ledger.count(TaskLedger.Ending.CANCELLED);
    long notRetryable = submitted - ledgerRetryable();
    Map<String, Long> poolStats = new LinkedHashMap<>();
    poolStats.put("submitted", stats.submitted());
    poolStats.put("completed", stats.completed());
    poolStats.put("failed", stats.failed());
    poolStats.put("cancelled", stats.cancelled());
    poolStats.put("retried", stats.retried());
    poolStats.put("restarts", stats.restarts());
    ChaosSummary.Tasks tasks = new ChaosSummary.Tasks(submitted, completed, ledger.retried(), failed,
        ledger.failedByCause(), cancelled, notRetryable, poolStats);

    long bound = settings.heapBoundBytes();
    ChaosSummary.Heap heapRecord = new ChaosSummary.Heap(bound / (1024 * 1024), mb(heap.maxUsedBytes()), mb(afterGc),
        heap.samples());

    List<Invariant> invariants = new ArrayList<>();
    long unanswered = ledger.unanswered();
    invariants.add(Invariant.check("every task has exactly one outcome",
        unanswered == 0 && ledger.extraOutcomes() == 0 && ledger.duplicateIds() == 0 && submitted > 0,
        submitted + " submitted, " + (submitted - unanswered) + " answered, " + unanswered + " without an outcome, "
            + ledger.extraOutcomes() + " second outcomes, " + ledger.duplicateIds() + " task ids handed out twice"));
    invariants.add(Invariant.check("no result duplicated", ledger.foreignResults() == 0,
        completed + " completed echoes each returned their own unique payload and id; "
            + ledger.foreignResults() + " carried another task's"));
    long[] flood = injector == null ? new long[4] : injector.flood();
    invariants.add(Invariant.check("a slow reader's flood came back intact", flood[2] == 0,
        flood[0] + " echoes of 64 KiB sent to paused readers: " + flood[1] + " intact, " + flood[2]
            + " different, " + flood[3] + " lost with their worker"));
    invariants.add(Invariant.check("a not-retryable task never ran twice", ledger.notRetryableRetried() == 0,
        ledger.notRetryableRetried() + " of " + notRetryable + " not-retryable tasks ran more than once"));
    boolean statsAgree = stats.submitted() == submitted && stats.completed() == completed
        && stats.failed() == failed && stats.cancelled() == cancelled;
    invariants.add(Invariant.check("the pool's counters agree with the run's ledger", statsAgree,
        "pool: submitted " + stats.submitted() + ", completed " + stats.completed() + ", failed " + stats.failed()
            + ", cancelled " + stats.cancelled() + "; ledger: " + submitted + ", " + completed + ", " + failed
            + ", " + cancelled));
    invariants.add(Invariant.check("the pool kept serving", completed * 2 > submitted,
        completed + " of " + submitted + " tasks completed (more than half must)"));
    invariants.add(Invariant.check("every fault that takes a worker down was detected", undetected == 0,
        undetected == 0 ? "the pool reported every one, the slowest after " + fmt(largest) + " ms"
            : "not reported: " + undetectedFaults));
    invariants.add(Invariant.check("the pool did not give up", poolFailure == null,
        poolFailure == null ? stats.restarts() + " restarts, within the intensity limit" : poolFailure));
    invariants.addAll(leftovers);
    invariants.add(Invariant.check("the parent's heap stayed within the bound",
        heap.maxUsedBytes() <= bound && afterGc <= bound,
        "max " + fmt(mb(heap.maxUsedBytes())) + " MB sampled, " + fmt(mb(afterGc)) + " MB after GC, bound "
            + bound / (1024 * 1024) + " MB"));
    boolean pass = invariants.stream().allMatch(Invariant::pass);
    return new ChaosSummary(parentPid, settings.transport().cliName(), settings.seed(), settings.workers(),
        settings.duration().toMillis(), elapsedNanos / 1_000_000, tasks, Collections.unmodifiableList(faultRows),
        byKind, stats.restarts(), detectionByKind, largest, undetected, heapRecord, poolFailure,
        List.copyOf(invariants), pass);
  }

  private long ledgerRetryable() {
    return ledger.retryableCount();
  }

  private static double mb(long bytes) {
    return Math.round(bytes / (1024.0 * 1024.0) * 10) / 10.0;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
