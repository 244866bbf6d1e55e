package dev.ipclab.cli.chaos;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.TaskHandle;
import dev.ipclab.parent.TaskSpec;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.WorkerState;
import dev.ipclab.demos.os.OsCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Injects one fault at a time into a random READY worker of the pool: signals from outside with {@code kill}, the
 * other faults as chaos task kinds pinned to that worker ({@link TaskSpec#onWorker}): routed by the pool like any
 * task, but never retried elsewhere. The pool counts them; {@link #tasks()} lists them so the run can tell them
 * from its own workload.
 *
 * <p>Only while at least half the slots, and at least two, are READY: a fault then always leaves a worker serving.
 * Without this rule a starved machine (load 30 on two cores, where a respawned JVM took 72 s to say hello) saw
 * every worker faulted the moment it came up, and the run tested nothing but its own fault rate.
 *
 * <p>The kinds come in rounds, each a seeded shuffle of all kinds, so that a short run still sees every kind and
 * the same seed injects the same sequence.
 */
final class FaultInjector {
  private static final Logger log = Logger.getLogger(FaultInjector.class.getName());
  private static final Duration CHAOS_TASK_DEADLINE = Duration.ofSeconds(10);
  /** A slow reader's flood: 1 MiB in all, sixteen times what a pipe holds. */
  private static final int FLOOD_TASKS = 16;
  private static final int FLOOD_TASK_BYTES = 64 * 1024;

  private final WorkerPool pool;
  private final int slots;
  private final Random random;
  private final long startNanos;
  private final long maxPauseMillis;
  private final List<FaultKind> round = new ArrayList<>();
  /** Workers a fault has taken down: the pool may still call one READY until it notices (2.5 s for a SIGSTOP). */
  private final Set<Long> takenDown = new HashSet<>();
  private final AtomicLong floodSent = new AtomicLong();
  private final AtomicLong floodIntact = new AtomicLong();
  private final AtomicLong floodCorrupted = new AtomicLong();
  private final AtomicLong floodLost = new AtomicLong();
  /** The outcome of every task this injector submitted, in order. */
  private final List<CompletableFuture<?>> tasks = new CopyOnWriteArrayList<>();

  /**
   * @param random the run's seeded source of every choice made here
   * @param maxPauseMillis the longest slow-reader pause: below the heartbeat timeout, because on socket
   *     transports a paused reading thread also holds back the worker's heartbeats
   */
  FaultInjector(WorkerPool pool, int slots, Random random, long startNanos, long maxPauseMillis) {
    this.pool = pool;
    this.slots = slots;
    this.random = random;
    this.startNanos = startNanos;
    this.maxPauseMillis = Math.max(50, maxPauseMillis);
  }

  /**
   * Injects the next fault, or returns empty if too few workers are READY to take one now (see the class comment;
   * it is tried again later).
   */
  Optional<InjectedFault> injectNext() {
    List<PoolWorker> ready = pool.workers().stream()
        .filter(w -> eligible(w.state(), w.pid(), takenDown))
        .toList();
    if (!enoughReady(ready.size(), slots)) {
      return Optional.empty();
    }
    if (round.isEmpty()) {
      Collections.addAll(round, FaultKind.values());
      Collections.shuffle(round, random);
    }
    FaultKind kind = round.removeFirst();
    PoolWorker worker = ready.get(random.nextInt(ready.size()));
    long at = System.nanoTime();
    String detail;
    try {
      detail = inject(kind, worker);
    } catch (IOException | RuntimeException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt(); // the run is over
      }
      // The worker may have died a moment ago from an earlier fault; that is chaos, not a broken run.
      log.log(Level.WARNING, "chaos: could not inject " + kind.label() + " into " + worker + ": " + e.getMessage());
      round.addFirst(kind);
      return Optional.empty();
    }
    InjectedFault fault = new InjectedFault(at, (at - startNanos) / 1_000_000, kind, worker.id(), worker.pid(),
        detail);
    if (kind.takesWorkerDown(pool.transport())) {
      takenDown.add(worker.pid());
    }
    log.warning(() -> "chaos: injected " + kind.label() + " into " + worker.name() + " pid " + worker.pid()
        + ": " + fault.detail());
    return Optional.of(fault);
  }

  /**
   * Whether a worker may take the next fault: READY, and not already hit by a fault that takes it down. A 10 min
   * pipe soak without the second rule put 14 of 116 such faults into a worker already going down (a SIGKILL into
   * a stopped one the pool had not yet declared hung, an exit after garbage), so it counted faults the pool never
   * had to survive and detections it never made.
   */
  static boolean eligible(WorkerState state, long pid, Set<Long> takenDown) {
    return state == WorkerState.READY && !takenDown.contains(pid);
  }

  /** Whether a fault may be injected with {@code ready} of {@code slots} workers READY: half of them, two at least. */
  static boolean enoughReady(int ready, int slots) {
    return ready >= 2 && ready * 2 >= slots;
  }

  private String inject(FaultKind kind, PoolWorker worker) throws IOException, InterruptedException {
    return switch (kind) {
      case SIGKILL -> signal("KILL", worker.pid());
      case SIGSTOP -> signal("STOP", worker.pid());
      case GARBAGE -> task(worker, "chaos.garbage", ByteString.EMPTY);
      case STDOUT -> task(worker, "chaos.stdout",
          ByteString.copyFromUtf8("chaos: worker-" + worker.id() + " prints this line to its stdout"));
      case EXIT -> task(worker, "chaos.exit", ascii(42 + random.nextInt(8)));
      case SLOW_READER -> slowReader(worker,
          maxPauseMillis / 4 + (long) (random.nextDouble() * maxPauseMillis * 3 / 4));
    };
  }

  /**
   * Arms the worker's read pause, then floods it with large echo tasks straight away, so the parent's writes
   * really back up (a pipe holds 64 KiB) while it does not read; each echo must come back intact.
   */
  private String slowReader(PoolWorker worker, long pauseMillis) throws InterruptedException {
    TaskHandle arm = submit(worker, "chaos.slow-reader", ascii(pauseMillis));
    try {
      arm.outcome().get(2, java.util.concurrent.TimeUnit.SECONDS); // the pause is armed once the task has run
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return "task chaos.slow-reader '" + pauseMillis + "' as task " + arm.id() + " (not answered: "
          + (e.getCause() != null ? e.getCause() : e) + "; no flood sent)";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "task chaos.slow-reader '" + pauseMillis + "' (interrupted before the flood)";
    }
    for (int i = 0; i < FLOOD_TASKS; i++) {
      byte[] bytes = new byte[FLOOD_TASK_BYTES];
      random.nextBytes(bytes);
      ByteString payload = ByteString.copyFrom(bytes);
      floodSent.incrementAndGet();
      // On the pipe transport this send blocks once the pipe is full: that is the backing up being shown.
      submit(worker, "echo", payload).outcome().whenComplete((done, error) -> {
        if (error != null) {
          floodLost.incrementAndGet(); // its worker died of a later fault: not a wrong answer
        } else if (done.result().getPayload().equals(payload)) {
          floodIntact.incrementAndGet();
        } else {
          floodCorrupted.incrementAndGet();
        }
      });
    }
    return "task chaos.slow-reader '" + pauseMillis + "' as task " + arm.id() + ", then " + FLOOD_TASKS
        + " echo tasks of " + FLOOD_TASK_BYTES / 1024 + " KiB at once";
  }

  /** Flood echoes sent, and how many came back intact, came back different, or died with their worker. */
  long[] flood() {
    return new long[] {floodSent.get(), floodIntact.get(), floodCorrupted.get(), floodLost.get()};
  }

  private static String signal(String name, long pid) throws IOException {
    List<String> command = List.of("kill", "-" + name, Long.toString(pid));
    OsCommand.run(command, 5_000, "kill comes with procps or util-linux (apt-get install procps)");
    return String.join(" ", command);
  }

  /** The outcomes of the tasks this injector submitted: the pool counts them beside the run's own workload. */
  List<CompletableFuture<?>> tasks() {
    return List.copyOf(tasks);
  }

  /** Sends a chaos task to this worker only; its answer, if any comes, only goes to the log. */
  private String task(PoolWorker worker, String kind, ByteString payload) throws InterruptedException {
    TaskHandle sent = submit(worker, kind, payload);
    sent.outcome().whenComplete((result, error) -> log.fine(() -> "chaos: " + kind + " on " + worker.name()
        + (error == null ? " answered" : " ended with " + error)));
    return "task " + kind + " '" + payload.toStringUtf8() + "' as task " + sent.id();
  }

  /** Submits a fault task pinned to {@code worker}: it must hit that process, and never run on another. */
  private TaskHandle submit(PoolWorker worker, String kind, ByteString payload) throws InterruptedException {
    TaskHandle handle = worker.submit(TaskSpec.of(kind, payload).withDeadline(CHAOS_TASK_DEADLINE).notRetryable());
    tasks.add(handle.outcome());
    return handle;
  }

  private static ByteString ascii(long n) {
    return ByteString.copyFrom(Long.toString(n), StandardCharsets.US_ASCII);
  }
}
