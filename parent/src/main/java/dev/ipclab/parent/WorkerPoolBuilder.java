package dev.ipclab.parent;

import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.frame.Frames;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Configures a pool. Defaults: 2 workers and no spares, pipe transport, heartbeat every 1 s, hung after 5 s of silence,
 * 10 s for a hello and 30 s for all workers to be ready (each plus 250 ms per worker, since N JVMs starting at
 * once share the cores), 5 s of grace at shutdown, 16 MiB frames; workers are JVMs running
 * {@code dev.ipclab.worker.WorkerMain} on the ipclab worker jar ({@code -Dipclab.worker.jar}) with no extra JVM
 * flags or environment, no kinds required, no faults; logs removed at close; not inspectable, no shutdown hook; and
 * for tasks: 64 in flight per worker, a queue of 10 000 that blocks submit when full, 3 attempts per task, workers
 * never recycled (neither by task count nor by
 * memory), at most 10 restarts in 60 s, restart backoff 100 ms doubling up to 5 s.
 */
public final class WorkerPoolBuilder {
  private int workers = 2;
  private int spares;
  private TransportKind transport = TransportKind.PIPE;
  private IdleStrategy idle = IdleStrategy.BLOCK;
  private Duration heartbeatInterval = Duration.ofSeconds(1);
  private Duration heartbeatTimeout = Duration.ofSeconds(5);
  private Duration handshakeTimeout;
  private Duration readyTimeout;
  private Duration shutdownGrace = Duration.ofSeconds(5);
  private int maxFrameBytes = Frames.DEFAULT_MAX_FRAME_BYTES;
  private Path workerJar;
  private final List<String> extraJvmArgs = new ArrayList<>();
  private final Map<Integer, String> faults = new LinkedHashMap<>();
  private boolean keepLogs;
  private int maxTasksPerChild;
  private long maxMemoryBeforeRecycle;
  private int maxRestarts = 10;
  private Duration restartPeriod = Duration.ofSeconds(60);
  private Duration backoffInitial = Duration.ofMillis(100);
  private Duration backoffMax = Duration.ofSeconds(5);
  private int maxAttempts = 3;
  private int queueCapacity = 10_000;
  private Backpressure backpressure = Backpressure.BLOCK;
  private int maxInFlightPerWorker = 64;
  private PoolListener listener = new PoolListener() {};
  private List<Path> classPath;
  private final List<Path> extraClassPath = new ArrayList<>();
  private String mainClass = WorkerCommand.MAIN_CLASS;
  private List<String> command;
  private final Map<String, String> environment = new LinkedHashMap<>();
  private final java.util.Set<String> requiredKinds = new java.util.TreeSet<>();
  private boolean inspectable;
  private boolean closeOnJvmShutdown;

  /** Made by {@link WorkerPool#builder()}, the one entry point. */
  WorkerPoolBuilder() {}

  /**
   * Keeps {@code n} warm spares (default 0): workers that finished their handshake and sit idle, never routed to.
   * A crashed, hung or recycled worker's slot takes a ready spare at once, with no backoff and no JVM start on the
   * path, and a new spare is spawned behind it. The slot keeps its id: the spare, born as
   * {@code worker-<workers+k>}, answers to the slot's {@code worker-<id>} from then on (its pid is its own).
   * Spares are started once the workers are ready, and cost one idle JVM each.
   */
  public WorkerPoolBuilder spares(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("spares must be 0 or more, got " + n);
    }
    this.spares = n;
    return this;
  }

  /** Recycles a worker after {@code m} answered tasks (0 = never): it drains, exits gracefully, is replaced. */
  public WorkerPoolBuilder maxTasksPerChild(int m) {
    if (m < 0) {
      throw new IllegalArgumentException("max tasks per child must be 0 (never recycle) or more, got " + m);
    }
    this.maxTasksPerChild = m;
    return this;
  }

  /**
   * Recycles a worker whose resident set size ({@code VmRSS} in {@code /proc/<pid>/status}) exceeds {@code bytes}
   * after one of its tasks ends (0 = never): it takes no more tasks, drains, exits gracefully and is replaced, as
   * with {@link #maxTasksPerChild}. Not a restart. Like tinypool's {@code maxMemoryLimitBeforeRecycle}; the
   * limit should sit well above an idle worker's RSS (some 70 MB).
   */
  public WorkerPoolBuilder maxMemoryBeforeRecycle(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("max memory before recycle must be 0 (never recycle) or more bytes, got "
          + bytes);
    }
    this.maxMemoryBeforeRecycle = bytes;
    return this;
  }

  /** At most {@code maxRestarts} restarts within {@code within}; one more and the pool fails. */
  public WorkerPoolBuilder restartIntensity(int maxRestarts, Duration within) {
    if (maxRestarts < 0 || within.isNegative() || within.isZero()) {
      throw new IllegalArgumentException("restart intensity needs 0 or more restarts within a positive period;"
          + " got " + maxRestarts + " within " + within.toMillis() + " ms");
    }
    this.maxRestarts = maxRestarts;
    this.restartPeriod = within;
    return this;
  }

  /** The wait before respawning a slot: {@code initial}, doubling per consecutive restart, at most {@code max}. */
  public WorkerPoolBuilder restartBackoff(Duration initial, Duration max) {
    if (initial.isNegative() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("restart backoff needs 0 <= initial <= max; got " + initial.toMillis()
          + " ms .. " + max.toMillis() + " ms");
    }
    this.backoffInitial = initial;
    this.backoffMax = max;
    return this;
  }

  /** How many times one task may be sent to a worker when its workers keep dying under it. */
  public WorkerPoolBuilder maxAttempts(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("max attempts must be at least 1, got " + k);
    }
    this.maxAttempts = k;
    return this;
  }

  /** How many tasks may wait for a worker, and what submit does beyond that. */
  public WorkerPoolBuilder queue(int capacity, Backpressure b) {
    if (capacity < 0) {
      throw new IllegalArgumentException("queue capacity must be 0 or more, got " + capacity);
    }
    this.queueCapacity = capacity;
    this.backpressure = java.util.Objects.requireNonNull(b, "backpressure");
    return this;
  }

  /** How many tasks one worker runs at once, multiplexed on its channel by request id. */
  public WorkerPoolBuilder maxInFlightPerWorker(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("max in flight per worker must be at least 1, got " + n);
    }
    this.maxInFlightPerWorker = n;
    return this;
  }

  /** Hears crashes, hangs, restarts and retries; see {@link PoolListener}. */
  public WorkerPoolBuilder listener(PoolListener l) {
    this.listener = java.util.Objects.requireNonNull(l, "listener");
    return this;
  }

  public WorkerPoolBuilder workers(int n) {
    if (n < 1 || n > 256) {
      throw new IllegalArgumentException("workers must be between 1 and 256, got " + n);
    }
    this.workers = n;
    return this;
  }

  public WorkerPoolBuilder transport(TransportKind kind) {
    this.transport = kind;
    return this;
  }

  /** How the channel's readers wait, on both sides: {@link IdleStrategy#SPIN} trades a busy core for latency. */
  public WorkerPoolBuilder idle(IdleStrategy strategy) {
    this.idle = strategy;
    return this;
  }

  /** How often each side sends a heartbeat, and after how long without a frame a worker counts as hung. */
  public WorkerPoolBuilder heartbeat(Duration interval, Duration timeout) {
    if (interval.toMillis() < 1 || timeout.compareTo(interval) <= 0) {
      throw new IllegalArgumentException("the heartbeat interval must be at least 1 ms and below the hung"
          + " timeout; got an interval of " + interval.toMillis() + " ms and a timeout of " + timeout.toMillis()
          + " ms");
    }
    this.heartbeatInterval = interval;
    this.heartbeatTimeout = timeout;
    return this;
  }

  public WorkerPoolBuilder handshakeTimeout(Duration d) {
    this.handshakeTimeout = d;
    return this;
  }

  public WorkerPoolBuilder readyTimeout(Duration d) {
    this.readyTimeout = d;
    return this;
  }

  public WorkerPoolBuilder shutdownGrace(Duration d) {
    this.shutdownGrace = d;
    return this;
  }

  public WorkerPoolBuilder maxFrameBytes(int bytes) {
    if (bytes < 64) {
      throw new IllegalArgumentException("max frame must be at least 64 bytes, got " + bytes);
    }
    this.maxFrameBytes = bytes;
    return this;
  }

  /** The ipclab worker jar (with its {@code lib/} beside it) that a pool without its own class path runs. */
  public WorkerPoolBuilder workerJar(Path jar) {
    this.workerJar = jar;
    return this;
  }

  /** JVM flags added after the defaults (so they win), e.g. {@code -Xmx64m}. */
  public WorkerPoolBuilder jvmArgs(List<String> args) {
    this.extraJvmArgs.addAll(args);
    return this;
  }

  /** Arms a test fault in worker {@code id}; see the worker's {@code Faults} for the specs. */
  public WorkerPoolBuilder fault(int id, String spec) {
    this.faults.put(id, spec);
    return this;
  }

  public WorkerPoolBuilder keepLogs(boolean keep) {
    this.keepLogs = keep;
    return this;
  }

  /**
   * The worker JVM's class path, in order: the ipclab worker runtime (the {@code worker} artifact and its
   * dependencies, protobuf and Netty) and the jars or directories of the task modules it should serve. Default: the
   * worker jar of this ipclab installation ({@code -Dipclab.worker.jar}), which serves the built-in kinds. A long
   * class path is passed to the JVM in an {@code @argfile} in the pool's run directory, not on the command line,
   * whose length the kernel limits.
   */
  public WorkerPoolBuilder classPath(List<Path> entries) {
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("a worker class path needs at least one entry");
    }
    this.classPath = List.copyOf(entries);
    return this;
  }

  /**
   * Adds entries after the worker's class path (the default one or {@link #classPath}'s): typically the jar or
   * classes directory of a task module, found with {@link #codeSource}.
   */
  public WorkerPoolBuilder addClassPath(Path... entries) {
    this.extraClassPath.addAll(List.of(entries));
    return this;
  }

  /** The jar or directory {@code type} was loaded from: what to add to a worker's class path to give it that type. */
  public static Path codeSource(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
    } catch (java.net.URISyntaxException | RuntimeException e) {
      throw new IllegalArgumentException("cannot tell where " + type.getName() + " was loaded from: " + e, e);
    }
  }

  /**
   * A command line that runs {@code mainClass} from {@code classPath} with the same {@code java} and the same
   * footprint flags (heap, GC, stack and code cache sizes) as a pool's JVM workers, but none of the worker's
   * settings: for a bare-JDK baseline process measured against workers.
   */
  public static List<String> workerJvmCommand(Path classPath, String mainClass, List<String> args) {
    return WorkerCommand.sameJvm(classPath, mainClass, args);
  }

  /**
   * The worker jar a pool uses by default: {@code -Dipclab.worker.jar}, else {@code IPCLAB_WORKER_JAR}, else
   * {@code worker/target/ipclab-worker.jar} in a source checkout.
   *
   * @throws IllegalStateException if it is not there, with the command that builds it
   */
  public static Path locateWorkerJar() {
    return WorkerCommand.locateWorkerJar();
  }

  /** The class path of the JVM this runs in, for a worker that should see the same classes as its parent. */
  public static List<Path> classPathOfThisJvm() {
    return java.util.Arrays.stream(System.getProperty("java.class.path", "").split(java.io.File.pathSeparator))
        .filter(s -> !s.isBlank()).map(Path::of).toList();
  }

  /**
   * The worker JVM's main class. Default: {@code dev.ipclab.worker.WorkerMain}, which serves the task modules its
   * class path lists; a {@code main} of the user's own runs {@code WorkerRuntime.builder()...runAndExit()}.
   */
  public WorkerPoolBuilder mainClass(String className) {
    this.mainClass = java.util.Objects.requireNonNull(className, "className");
    return this;
  }

  /**
   * Starts {@code executable} with its arguments as each worker instead of a JVM: any program that speaks the
   * protocol (see docs/protocol.md), in any language. It finds its settings in its environment ({@code
   * IPCLAB_TOKEN}, {@code IPCLAB_WORKER_ID}, {@code IPCLAB_TRANSPORT}, {@code IPCLAB_CONNECT}, {@code
   * IPCLAB_MAX_FRAME_BYTES}, {@code IPCLAB_IDLE}). The class path, main class and JVM arguments do not apply.
   */
  public WorkerPoolBuilder command(List<String> executableAndArgs) {
    if (executableAndArgs.isEmpty()) {
      throw new IllegalArgumentException("a worker command needs at least the executable");
    }
    this.command = List.copyOf(executableAndArgs);
    return this;
  }

  /** Adds variables to every worker's environment. */
  public WorkerPoolBuilder environment(Map<String, String> variables) {
    this.environment.putAll(variables);
    return this;
  }

  /**
   * Task kinds every worker must serve: a worker whose hello does not list one of them is refused, and the pool's
   * start fails at once with a message that names the missing kinds and what the worker serves.
   */
  public WorkerPoolBuilder requireKinds(String... kinds) {
    this.requiredKinds.addAll(List.of(kinds));
    return this;
  }

  /**
   * Makes this pool visible to {@code ipclab inspect} and {@code ipclab top}: a record of this JVM in
   * {@code $TMPDIR/ipclab-parents/<pid>.json} and a control socket beside it, for as long as the pool is open.
   * Default: false, so a library user's JVM leaves no file anywhere unless asked to.
   */
  public WorkerPoolBuilder inspectable(boolean on) {
    this.inspectable = on;
    return this;
  }

  /**
   * Closes the pool from a JVM shutdown hook (Ctrl-C, SIGTERM) if it is still open, so the run directory goes
   * too. Default: false. Without it the workers still end when this JVM ends (they exit on the end of their
   * channel or when their parent process is gone), but the run directory with their logs stays.
   */
  public WorkerPoolBuilder closeOnJvmShutdown(boolean on) {
    this.closeOnJvmShutdown = on;
    return this;
  }

  private List<Path> effectiveClassPath(Path jar) {
    if (classPath == null && extraClassPath.isEmpty()) {
      return null;
    }
    List<Path> all = new ArrayList<>(classPath != null ? classPath : jar != null ? List.of(jar) : List.of());
    all.addAll(extraClassPath);
    return List.copyOf(all);
  }

  /** Spawns the workers and returns once every one has completed its handshake. */
  public WorkerPool start() throws IOException, InterruptedException {
    Path jar = workerJar != null ? workerJar
        : classPath != null || command != null ? null : WorkerCommand.locateWorkerJar();
    Duration startupShare = Duration.ofMillis(250L * workers);
    Duration handshake = handshakeTimeout != null ? handshakeTimeout : Duration.ofSeconds(10).plus(startupShare);
    Duration ready = readyTimeout != null ? readyTimeout : Duration.ofSeconds(30).plus(startupShare);
    return new WorkerPool(new PoolSettings(workers, transport, idle, heartbeatInterval, heartbeatTimeout,
        handshake, ready, shutdownGrace, maxFrameBytes, jar, List.copyOf(extraJvmArgs),
        Map.copyOf(faults), keepLogs,
        new TaskRouter.Limits(maxInFlightPerWorker, maxAttempts, queueCapacity, backpressure, maxTasksPerChild,
            maxMemoryBeforeRecycle),
        maxRestarts, restartPeriod, backoffInitial, backoffMax, listener,
        new WorkerLaunch(effectiveClassPath(jar), mainClass, command, Map.copyOf(environment),
            Set.copyOf(requiredKinds)),
        inspectable, closeOnJvmShutdown, spares));
  }
}
