package dev.ipclab.parent;

import dev.ipclab.transport.Frames;
import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.TransportKind;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Configures a pool. Defaults: 2 workers, pipe transport, heartbeat every 1 s, hung after 5 s of silence,
 * 10 s for a hello and 30 s for all workers to be ready (each plus 250 ms per worker, since N JVMs starting at
 * once share the cores), 5 s of grace at shutdown, 16 MiB frames, the worker jar found beside the parent's, no
 * extra JVM flags, no faults, logs removed at close; and for tasks: 64 in flight per worker, a queue of
 * 10 000 that blocks submit when full, 3 attempts per task, workers never recycled (neither by task count nor by
 * memory), at most 10 restarts in 60 s, restart backoff 100 ms doubling up to 5 s.
 */
public final class WorkerPoolBuilder {
  private int workers = 2;
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

  /** Made by {@link WorkerPool#builder()}, the one entry point. */
  WorkerPoolBuilder() {}

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

  /** Spawns the workers and returns once every one has completed its handshake. */
  public WorkerPool start() throws IOException, InterruptedException {
    Path jar = workerJar != null ? workerJar : WorkerCommand.locateWorkerJar();
    Duration startupShare = Duration.ofMillis(250L * workers);
    Duration handshake = handshakeTimeout != null ? handshakeTimeout : Duration.ofSeconds(10).plus(startupShare);
    Duration ready = readyTimeout != null ? readyTimeout : Duration.ofSeconds(30).plus(startupShare);
    return new WorkerPool(new PoolSettings(workers, transport, idle, heartbeatInterval, heartbeatTimeout,
        handshake, ready, shutdownGrace, maxFrameBytes, jar, List.copyOf(extraJvmArgs),
        Map.copyOf(faults), keepLogs,
        new TaskRouter.Limits(maxInFlightPerWorker, maxAttempts, queueCapacity, backpressure, maxTasksPerChild,
            maxMemoryBeforeRecycle),
        maxRestarts, restartPeriod, backoffInitial, backoffMax, listener));
  }
}
