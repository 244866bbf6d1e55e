package dev.ipclab.parent;

import dev.ipclab.proto.v1.Hello;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.RejectReason;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.Frames;
import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.Protocol;
import dev.ipclab.transport.Transport;
import dev.ipclab.transport.TransportKind;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * A set of worker processes started, watched and stopped together: they share one transport kind, one run
 * directory and, for sockets, one listening socket. Later issues add routing, retries and restarts here.
 *
 * <pre>{@code
 * try (WorkerPool pool = WorkerPool.builder().workers(3).transport(TransportKind.UDS).start()) {
 *   Pong pong = pool.worker(1).connection().ping(ByteString.copyFromUtf8("hi")).get();
 * }
 * }</pre>
 */
public final class WorkerPool implements AutoCloseable, WorkerRegistry {
  private static final Logger log = Logger.getLogger(WorkerPool.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();

  private final PoolSettings settings;
  private final RunDirectory runDirectory;
  private final ScheduledExecutorService timer;
  private final Map<Integer, WorkerProcess> workers = new LinkedHashMap<>();
  private volatile WorkerServer server;
  private volatile HeartbeatMonitor heartbeats;
  private volatile boolean closed;
  /** Stops the workers and removes the run directory when the JVM is stopped by a signal (Ctrl-C, SIGTERM). */
  private final Thread shutdownHook = new Thread(this::closeOnShutdown, "ipclab-pool-shutdown");

  private WorkerPool(PoolSettings settings) throws IOException, InterruptedException {
    this.settings = settings;
    this.runDirectory = RunDirectory.create(settings.keepLogs());
    ScheduledThreadPoolExecutor supervisor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "ipclab-supervisor");
      t.setDaemon(true);
      return t;
    });
    // Every request arms a deadline that its reply cancels: drop those at once rather than hold them for 30 s.
    supervisor.setRemoveOnCancelPolicy(true);
    this.timer = supervisor;
    try {
      // From here on, Ctrl-C or SIGTERM stops whatever has been started, even halfway through starting.
      Runtime.getRuntime().addShutdownHook(shutdownHook);
      startServer();
      String connect = server == null ? null : server.address();
      for (int id = 1; id <= settings.workers(); id++) {
        spawn(id, connect);
      }
      heartbeats = new HeartbeatMonitor(workers(), timer, settings.heartbeatInterval().toMillis(),
          settings.heartbeatTimeout().toMillis());
      awaitReady();
      ParentRecord.poolStarted(this);
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
          settings.maxFrameBytes(), this, timer, settings.handshakeTimeout().toMillis());
    }
  }

  /** Spawns one worker, unless the pool has been closed meanwhile (by a signal, say). */
  private synchronized void spawn(int id, String connect) throws IOException {
    if (closed) {
      throw new IllegalStateException("the pool was closed while starting its workers");
    }
    String token = HexFormat.of().formatHex(randomBytes());
    // An shm worker gets a file of its own, named by the path it maps; socket workers share the server's address.
    String address = settings.transport() == TransportKind.SHM ? runDirectory.newShmFile(id).toString() : connect;
    WorkerProcess worker = WorkerProcess.spawn(id, token, settings, address, runDirectory.workerLog(id), timer, this);
    synchronized (workers) {
      workers.put(id, worker);
    }
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[32]; // 256 bits, twice the 128 the protocol asks for
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + settings.readyTimeout().toNanos();
    for (WorkerProcess worker : workers()) {
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

  @Override
  public Admission admit(Hello hello, Transport<WorkerEnvelope, ParentEnvelope> transport, PeerIdentity peer) {
    if (hello.getProtocolVersion() != Protocol.VERSION) {
      return Admission.reject(RejectReason.REJECT_REASON_PROTOCOL_VERSION, "worker-" + hello.getWorkerId()
          + " speaks protocol revision " + hello.getProtocolVersion() + ", this parent speaks "
          + Protocol.VERSION + "; rebuild both from the same sources");
    }
    WorkerProcess worker;
    synchronized (workers) {
      worker = workers.get(hello.getWorkerId());
    }
    if (worker == null) {
      return Admission.reject(RejectReason.REJECT_REASON_UNKNOWN_WORKER, "no worker with id "
          + hello.getWorkerId() + " was started by this parent (ids 1.." + settings.workers() + ")");
    }
    String problem = worker.checkHello(hello, peer);
    if (problem != null) {
      RejectReason reason = problem.startsWith("the token") ? RejectReason.REJECT_REASON_BAD_TOKEN
          : problem.startsWith("the peer") ? RejectReason.REJECT_REASON_PEER_CREDENTIALS
          : RejectReason.REJECT_REASON_UNKNOWN_WORKER;
      return Admission.reject(reason, problem);
    }
    return Admission.accept(worker);
  }

  /** The workers in id order. */
  public List<WorkerProcess> workers() {
    synchronized (workers) {
      return List.copyOf(workers.values());
    }
  }

  /** Worker {@code id}, from 1. */
  public WorkerProcess worker(int id) {
    synchronized (workers) {
      WorkerProcess w = workers.get(id);
      if (w == null) {
        throw new IllegalArgumentException("no worker " + id + "; this pool has ids 1.." + settings.workers());
      }
      return w;
    }
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

  /** Shuts every worker down (in parallel), stops listening, and removes the run directory. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (Thread.currentThread() != shutdownHook) {
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
      for (WorkerProcess worker : workers()) {
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

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Configures a pool. Defaults: 2 workers, pipe transport, heartbeat every 1 s, hung after 5 s of silence,
   * 10 s for a hello and 30 s for all workers to be ready (each plus 250 ms per worker, since N JVMs starting at
   * once share the cores), 5 s of grace at shutdown, 16 MiB frames, the worker jar found beside the parent's, no
   * extra JVM flags, no faults, logs removed at close.
   */
  public static final class Builder {
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

    private Builder() {}

    public Builder workers(int n) {
      if (n < 1 || n > 256) {
        throw new IllegalArgumentException("workers must be between 1 and 256, got " + n);
      }
      this.workers = n;
      return this;
    }

    public Builder transport(TransportKind kind) {
      this.transport = kind;
      return this;
    }

    /** How the channel's readers wait, on both sides: {@link IdleStrategy#SPIN} trades a busy core for latency. */
    public Builder idle(IdleStrategy strategy) {
      this.idle = strategy;
      return this;
    }

    /** How often each side sends a heartbeat, and after how long without a frame a worker counts as hung. */
    public Builder heartbeat(Duration interval, Duration timeout) {
      if (interval.toMillis() < 1 || timeout.compareTo(interval) <= 0) {
        throw new IllegalArgumentException("the heartbeat interval must be at least 1 ms and below the hung"
            + " timeout; got an interval of " + interval.toMillis() + " ms and a timeout of " + timeout.toMillis()
            + " ms");
      }
      this.heartbeatInterval = interval;
      this.heartbeatTimeout = timeout;
      return this;
    }

    public Builder handshakeTimeout(Duration d) {
      this.handshakeTimeout = d;
      return this;
    }

    public Builder readyTimeout(Duration d) {
      this.readyTimeout = d;
      return this;
    }

    public Builder shutdownGrace(Duration d) {
      this.shutdownGrace = d;
      return this;
    }

    public Builder maxFrameBytes(int bytes) {
      if (bytes < 64) {
        throw new IllegalArgumentException("max frame must be at least 64 bytes, got " + bytes);
      }
      this.maxFrameBytes = bytes;
      return this;
    }

    public Builder workerJar(Path jar) {
      this.workerJar = jar;
      return this;
    }

    /** JVM flags added after the defaults (so they win), e.g. {@code -Xmx64m}. */
    public Builder jvmArgs(List<String> args) {
      this.extraJvmArgs.addAll(args);
      return this;
    }

    /** Arms a test fault in worker {@code id}; see the worker's {@code Faults} for the specs. */
    public Builder fault(int id, String spec) {
      this.faults.put(id, spec);
      return this;
    }

    public Builder keepLogs(boolean keep) {
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
          Map.copyOf(faults), keepLogs));
    }
  }
}
