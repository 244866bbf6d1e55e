package dev.ipclab.parent;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.protocol.Protocol;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * A supervised set of worker processes that runs tasks: they share one transport kind, one run directory and, for
 * sockets, one listening socket. {@link #submit} routes a task to a worker and returns a {@link TaskHandle} whose
 * outcome completes exactly once. A task may be pinned to one worker ({@link TaskSpec#onWorker}); it is still
 * routed by the pool. {@link #worker(int)} gives a {@link PoolWorker} view of each worker: its pid, state and
 * exit, and pings and status requests for that worker alone.
 *
 * <pre>{@code
 * try (WorkerPool pool = WorkerPool.builder().workers(3).transport(TransportKind.UDS).start()) {
 *   TaskOutcome done = pool.submit(TaskSpec.of("echo", ByteString.copyFromUtf8("hi"))).outcome().get();
 *   TaskOutcome onTwo = pool.submit(TaskSpec.of("echo", ByteString.copyFromUtf8("hi")).onWorker(2)).outcome().get();
 *   Pong pong = pool.worker(1).ping(ByteString.copyFromUtf8("hi")).get();
 *   List<StringValue> many = pool.map("echo", inputs, StringValue.parser()).get(); // batched, in input order
 * }
 * }</pre>
 *
 * <p>What the pool guarantees, and what the caller sees:
 * <ul>
 *   <li><b>Routing.</b> A task goes to the READY worker with the fewest pool tasks in flight, many per worker
 *       (up to {@code maxInFlightPerWorker}, multiplexed by request id). When every worker is full, tasks wait in
 *       a bounded FIFO queue; past its capacity {@code submit} blocks ({@link Backpressure#BLOCK}) or throws
 *       {@link PoolSaturatedException} ({@link Backpressure#FAIL}). Queued tasks are sent by the thread that
 *       delivered a completion, with no hop to another thread.
 *   <li><b>Exactly one outcome.</b> Each task's future completes once, with a {@link TaskOutcome} or an exception,
 *       whatever races (a reply, a worker's death, a deadline, a cancel, a close): the first completion wins.
 *   <li><b>Retries.</b> When a task's worker dies (its connection fails with {@link WorkerFailedException}, or the
 *       process exits), the task is queued again at the front and sent to another worker as attempt n+1
 *       ({@code Task.attempt}), up to {@code maxAttempts} runs. A task that is not retryable, or has used its
 *       attempts, fails with {@link TaskFailedException} carrying the decoded exit (code, signal, whether the
 *       kernel's OOM killer was at work for a SIGKILL that was not ours, the log tail). Errors of the task itself (the handler threw,
 *       a bad payload, an unknown kind) and a passed deadline fail at once, without a retry. The deadline counts
 *       from submit, over all attempts and the time queued.
 *   <li><b>Restarts (one_for_one).</b> A worker that crashed or hung is replaced in its slot after a backoff
 *       ({@code restartBackoff}: 100 ms doubling to 5 s per consecutive restart of the slot, reset once a
 *       replacement has stayed up that long). More than R restarts within T ({@code restartIntensity}, 10 in
 *       60 s) and the pool gives up: {@link #failure()} completes, every queued and in-flight task fails with the
 *       {@link PoolFailedException} that names the restarts and their causes, {@code submit} throws it, and a
 *       SEVERE log says so. Nothing is respawned after that.
 *   <li><b>Hung workers.</b> A worker silent for the heartbeat timeout is declared HUNG (checked every half
 *       heartbeat interval, at least 4 times per timeout, so within 1.25 x the timeout of its last frame), killed
 *       with SIGKILL (its exit says ipclab sent it, and why), its tasks retried and the slot restarted: the
 *       replacement is spawned well within 2 x the timeout; it is ready one JVM start later.
 *   <li><b>Recycling.</b> With {@code maxTasksPerChild} m, a worker is given m tasks, then no more; once they are
 *       answered it is shut down gracefully and a fresh process takes its slot. That is not a restart.
 *   <li><b>Cancel.</b> {@link TaskHandle#cancel} removes a queued task, or drops one in flight in band: the
 *       worker interrupts it and stays warm.
 *   <li><b>Close.</b> Queued and in-flight tasks fail with a {@link TaskFailedException} saying "pool closed";
 *       then every worker is stopped.
 * </ul>
 */
public final class WorkerPool implements AutoCloseable {
  private static final Logger log = Logger.getLogger(WorkerPool.class.getName());

  private final PoolSettings settings;
  private final RunDirectory runDirectory;
  private final WorkerFactory factory;
  private final ScheduledExecutorService timer;
  private final List<WorkerSlot> slots = new ArrayList<>();
  private final TaskRouter router;
  private final Supervisor supervisor;
  /** Every worker process spawned and not yet exited: the current ones and those being recycled. */
  private final Set<WorkerProcess> alive = ConcurrentHashMap.newKeySet();
  /** Admits the hellos of this pool's workers; not part of the pool's public face. */
  private final WorkerRegistry registry;
  private final WarmSpares spares;
  private volatile WorkerServer server;
  private volatile HeartbeatMonitor heartbeats;
  private volatile boolean closed;
  /** Completes when {@link #close} has finished, for callers that come while it runs. */
  private final CompletableFuture<Void> closeDone = new CompletableFuture<>();
  private volatile Thread closingThread;
  /** Stops the workers and removes the run directory when the JVM is stopped by a signal (Ctrl-C, SIGTERM). */
  private final Thread shutdownHook = new Thread(this::closeOnShutdown, "ipclab-pool-shutdown");

  /** Package-private for {@link WorkerPoolBuilder#start()}; callers go through {@link #builder()}. */
  WorkerPool(PoolSettings settings) throws IOException, InterruptedException {
    this(settings, null);
  }

  /** A pool whose workers come from {@code factory}; null for real processes (tests hand in fakes). */
  WorkerPool(PoolSettings settings, WorkerFactory factory) throws IOException, InterruptedException {
    this.settings = settings;
    this.registry = new PoolAdmission(settings, this::expected);
    this.runDirectory = RunDirectory.create(settings.keepLogs());
    ScheduledThreadPoolExecutor supervisorThread = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "ipclab-supervisor");
      t.setDaemon(true);
      return t;
    });
    // Every request arms a deadline that its reply cancels: drop those at once rather than hold them for 30 s.
    supervisorThread.setRemoveOnCancelPolicy(true);
    this.timer = supervisorThread;
    this.factory = factory != null ? factory
        : WorkerLauncher.factory(settings, timer, runDirectory, () -> server == null ? null : server.address());
    for (int id = 1; id <= settings.workers(); id++) {
      slots.add(new WorkerSlot(id));
    }
    this.router = new TaskRouter(settings.limits(), List.copyOf(slots), timer, settings.listener(),
        this::recycle);
    this.spares = new WarmSpares(this, settings, timer, this::spawnSpare, this::stopped, () -> closed);
    this.supervisor = new Supervisor(settings, List.copyOf(slots), timer, router, this::spawn, () -> closed,
        () -> ParentRecord.workersChanged(this), runDirectory.path(), spares::take);
    try {
      // From here on, Ctrl-C or SIGTERM stops whatever has been started, even halfway through starting.
      if (settings.closeOnJvmShutdown()) {
        Runtime.getRuntime().addShutdownHook(shutdownHook);
      }
      startServer();
      for (WorkerSlot slot : slots) {
        spawn(slot);
      }
      heartbeats = HeartbeatMonitor.start(this::watched, timer, settings.heartbeatInterval().toMillis(),
          settings.heartbeatTimeout().toMillis(), supervisor::onHung);
      awaitReady();
      for (WorkerSlot slot : slots) {
        supervisor.watch(slot, slot.current());
      }
      // After the workers: spares starting alongside them would slow the pool's own start.
      for (int i = 0; i < settings.spares(); i++) {
        spares.spawnOne();
      }
      if (settings.inspectable()) {
        ParentRecord.poolStarted(this);
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Listens for socket workers, unless the pool has been closed meanwhile (by a signal, say). */
  private synchronized void startServer() throws InterruptedException {
    if (closed) {
      throw new IllegalStateException("the pool was closed while starting");
    }
    if (settings.transport() == TransportKind.TCP || settings.transport() == TransportKind.UDS) {
      server = new WorkerServer(settings.transport(), runDirectory.socket(), 1, settings.idle(),
          settings.maxFrameBytes(), registry, timer, settings.handshakeTimeout().toMillis());
    }
  }

  /** Spawns a process into {@code slot}, unless the pool has been closed meanwhile (by a signal, say). */
  private synchronized WorkerProcess spawn(WorkerSlot slot) throws IOException {
    if (closed) {
      throw new IllegalStateException("the pool is closed; no worker is spawned into " + slot.id);
    }
    WorkerProcess worker = factory.create(slot.id, runDirectory.workerLog(slot.id, slot.nextSpawn()), registry);
    worker.view = new PoolWorker(worker, this);
    alive.add(worker);
    worker.exit().whenComplete((exit, error) -> alive.remove(worker));
    router.fill(slot, worker);
    return worker;
  }

  /** The process expected to say hello as worker {@code id} now: a slot's current one or a spare; or null. */
  private WorkerProcess expected(int id) {
    return id >= 1 && id <= slots.size() ? slots.get(id - 1).current() : spares.byId(id);
  }

  /** Closed, or given up: nothing more is spawned. */
  private boolean stopped() {
    return closed || supervisor.failure().isDone();
  }

  /** Spawns spare {@code id}'s process; {@link WarmSpares} calls it under this pool's lock. */
  private WorkerProcess spawnSpare(int id) throws IOException {
    WorkerProcess spare = factory.create(id, runDirectory.workerLog(id, 1), registry);
    spare.view = new PoolWorker(spare, this);
    alive.add(spare);
    spare.exit().whenComplete((exit, error) -> alive.remove(spare));
    return spare;
  }

  /** What the heartbeat monitor watches: the slots' workers and the spares. */
  private List<WorkerProcess> watched() {
    List<WorkerProcess> all = processes();
    all.addAll(spares.all());
    return all;
  }

  /** The warm spares now, oldest first (ready or still starting); empty without {@code spares(n)}. */
  public List<PoolWorker> spares() {
    return spares.all().stream().map(w -> w.view).toList();
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + settings.readyTimeout().toNanos();
    for (WorkerProcess worker : processes()) {
      long left = deadline - System.nanoTime();
      try {
        worker.ready().get(Math.max(0, left), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw new WorkerFailedException(worker.name() + " pid " + worker.pid() + " did not complete its handshake"
            + " within " + settings.readyTimeout().toMillis() + " ms. Last lines of " + worker.logFile() + ":\n"
            + String.join("\n", LogTail.read(worker.logFile(), 12)));
      } catch (ExecutionException e) {
        throw new WorkerFailedException("worker start failed: " + e.getCause().getMessage(), e.getCause());
      }
    }
  }

  /** The current worker of every slot, in id order (after a restart, the new process). */
  public List<PoolWorker> workers() {
    List<PoolWorker> current = new ArrayList<>(slots.size());
    for (WorkerProcess w : processes()) {
      current.add(w.view());
    }
    return current;
  }

  /** The current process of every slot, in id order, for the pool's own classes. */
  List<WorkerProcess> processes() {
    List<WorkerProcess> current = new ArrayList<>(slots.size());
    for (WorkerSlot slot : slots) {
      WorkerProcess w = slot.current();
      if (w != null) {
        current.add(w);
      }
    }
    return current;
  }

  /**
   * The current worker of slot {@code id}, from 1: after a restart or a recycle, the new one. To run a task on
   * it, pin the task ({@link TaskSpec#onWorker}) or use {@link PoolWorker#submit}.
   */
  public PoolWorker worker(int id) {
    WorkerProcess w = id >= 1 && id <= slots.size() ? slots.get(id - 1).current() : null;
    if (w == null) {
      throw new IllegalArgumentException("no worker " + id + "; this pool has ids 1.." + settings.workers());
    }
    return w.view();
  }

  /** How often slot {@code id} was restarted after a crash or a hang (recycling not counted). */
  public int restarts(int id) {
    if (id < 1 || id > slots.size()) {
      throw new IllegalArgumentException("no worker " + id + "; this pool has ids 1.." + settings.workers());
    }
    return slots.get(id - 1).restarts();
  }

  /**
   * Queues a task for the least busy ready worker. When every worker has {@code maxInFlightPerWorker} tasks and
   * the queue is full, it waits for room ({@link Backpressure#BLOCK}) or throws {@link PoolSaturatedException}
   * ({@link Backpressure#FAIL}).
   *
   * @throws PoolFailedException if the pool gave up after too many restarts
   * @throws IllegalStateException if the pool is closed
   */
  public TaskHandle submit(TaskSpec spec) throws InterruptedException {
    return router.submit(spec);
  }

  /**
   * Runs a task of {@code kind} on any worker and returns its output, parsed: a typed call.
   *
   * @see #call(TaskSpec, Parser)
   */
  public <R extends Message> CompletableFuture<R> call(String kind, Message request, Parser<R> parser)
      throws InterruptedException {
    return call(TaskSpec.of(kind, request.toByteString()), parser);
  }

  /**
   * Submits {@code spec} (its deadline, retry and pinning included) and returns the handler's output, parsed with
   * {@code parser}. The future fails with the task's failure as it is (a {@link TaskFailedException}, whose cause
   * may be a {@link RemoteErrorException}; a {@link PoolFailedException}), or a {@link TaskFailedException} if the
   * output is not a {@code R}. Cancelling the future cancels the task. {@link Await#result} waits for it and throws
   * the failure unwrapped.
   *
   * @throws PoolSaturatedException if the queue is full and the pool was built with {@link Backpressure#FAIL}
   */
  public <R extends Message> CompletableFuture<R> call(TaskSpec spec, Parser<R> parser) throws InterruptedException {
    TaskHandle task = submit(spec);
    CompletableFuture<R> reply = new CompletableFuture<>();
    task.outcome().whenComplete((outcome, error) -> {
      if (error != null) {
        reply.completeExceptionally(error); // as it is: the outcome is completed directly, never wrapped
        return;
      }
      try {
        reply.complete(outcome.value(parser));
      } catch (RuntimeException e) {
        reply.completeExceptionally(e);
      }
    });
    reply.whenComplete((value, error) -> {
      if (reply.isCancelled()) {
        task.cancel("the caller cancelled the call's future");
      }
    });
    return reply;
  }

  /**
   * Submits many tasks at once and returns their handles in input order: a batched {@link #submit}. The pool
   * routes them in one pass and writes each worker's share in one frame burst with one flush, so a burst of short
   * tasks costs a few system calls rather than one per task. Each task keeps every guarantee of {@code submit}
   * (its own outcome, exactly once; retries; its deadline; {@link TaskHandle#cancel}). In flight stays bounded:
   * what does not fit on the workers waits in the queue, and when the queue is full this call waits for room
   * ({@link Backpressure#BLOCK}), or ({@link Backpressure#FAIL}) cancels the tasks of this call it already
   * submitted and throws {@link PoolSaturatedException}.
   *
   * @throws IllegalArgumentException if a spec is pinned to a worker this pool does not have (nothing is submitted)
   */
  public List<TaskHandle> submitAll(List<TaskSpec> specs) throws InterruptedException {
    return TaskBatches.submitAll(router, specs);
  }

  /**
   * Runs one task of {@code kind} per input, batched as {@link #submitAll}, and completes with the outputs parsed
   * with {@code parser}, in input order: the pool's {@code map}. Each task is retried on its own if its worker
   * dies. The first failure fails the future as it is (as {@link #call} does) and cancels the tasks not yet done;
   * cancelling the future cancels them all. For outcomes one by one as they come, use {@link #submitAll}.
   */
  public <R extends Message> CompletableFuture<List<R>> map(String kind, List<? extends Message> inputs,
      Parser<R> parser) throws InterruptedException {
    return TaskBatches.map(router, kind, inputs, parser);
  }

  /** The router's call when a worker has run its max tasks; the supervisor does not exist yet when it is made. */
  private void recycle(WorkerSlot slot, WorkerProcess worker) {
    supervisor.recycle(slot, worker);
  }

  /** The task counters now. */
  public PoolStats stats() {
    return router.stats(supervisor.restarts());
  }

  /** Workers replaced after max-tasks-per-child tasks. */
  public long recycled() {
    return supervisor.recycled();
  }

  /** Completes, with the exception that submit throws from then on, once the pool gives up on its workers. */
  public CompletableFuture<PoolFailedException> failure() {
    return supervisor.failure();
  }

  public TransportKind transport() {
    return settings.transport();
  }

  /** How the channels' readers wait. */
  public IdleStrategy idle() {
    return settings.idle();
  }

  /**
   * Where workers connect: {@code 127.0.0.1:port}, the socket path, {@code stdin/stdout} for pipes, or the shm
   * files' pattern.
   */
  public String endpoint() {
    if (settings.transport() == TransportKind.SHM) {
      return RunDirectory.SHM_DIRECTORY + "/" + runDirectory.path().getFileName() + "-worker-*";
    }
    return server == null ? "stdin/stdout" : server.address();
  }

  public Path runDirectory() {
    return runDirectory.path();
  }

  /**
   * Shuts every worker down (in parallel), stops listening, and removes the run directory. Idempotent: a second
   * caller waits for the first one's close to end.
   *
   * <p>Only the switch to closed is made under the pool's lock; the shutdown itself, which may wait out every
   * worker's grace, is not, so that a respawn due on the supervisor's timer thread (which spawns under that lock)
   * finds the pool closed at once instead of stalling the timer and everything it times.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        if (Thread.currentThread() != closingThread) {
          closeDone.join();
        }
        return;
      }
      closed = true;
      closingThread = Thread.currentThread();
    }
    try {
      shutDown();
    } finally {
      closeDone.complete(null);
    }
  }

  private void shutDown() {
    router.shut(new TaskFailedException("pool closed: the task had no outcome yet when its pool was closed", 0,
        null), new IllegalStateException("the pool is closed; start a new one to submit tasks"));
    if (settings.closeOnJvmShutdown() && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down; the hook will find the pool closed.
      }
    }
    // Each step runs even if one before it failed: a worker that will not die must not leak the socket, the
    // supervisor thread or the run directory too.
    try {
      if (heartbeats != null) {
        heartbeats.close();
      }
      stopAll();
    } finally {
      try {
        if (server != null) {
          server.close();
        }
      } finally {
        timer.shutdownNow();
        runDirectory.close();
        ParentRecord.poolClosed(this);
      }
    }
  }

  private void closeOnShutdown() {
    log.info("the JVM is shutting down: stopping the workers");
    close();
  }

  private void stopAll() {
    // In parallel: each shutdown may wait out its grace period, and those waits should not add up.
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      List<CompletableFuture<ExitDescription>> exits = new ArrayList<>();
      for (WorkerProcess worker : List.copyOf(alive)) {
        exits.add(CompletableFuture.supplyAsync(
            () -> worker.shutdown(settings.shutdownGrace(), "the pool is closing"), executor));
      }
      List<String> failures = new ArrayList<>();
      for (CompletableFuture<ExitDescription> exit : exits) {
        try {
          exit.join();
        } catch (java.util.concurrent.CompletionException e) {
          failures.add(e.getCause().getMessage());
        }
      }
      if (!failures.isEmpty()) {
        throw new IllegalStateException("could not stop every worker: " + String.join("; ", failures));
      }
    }
  }

  /** Configures a pool; see {@link WorkerPoolBuilder} for the defaults. */
  public static WorkerPoolBuilder builder() {
    return new WorkerPoolBuilder();
  }
}
