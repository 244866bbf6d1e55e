package dev.ipclab.parent;

import dev.ipclab.proto.v1.Hello;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.Welcome;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.ProtocolException;
import dev.ipclab.transport.Transport;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One worker OS process, owned by the parent: its {@link WorkerState} machine, its channel, its log and its
 * exit, decoded for people. {@link WorkerLauncher} starts it.
 */
final class WorkerProcess implements AutoCloseable {
  private static final Logger log = Logger.getLogger(WorkerProcess.class.getName());
  private static final int OUR_UID = PeerIdentity.currentUid();
  private static final int LOG_TAIL_LINES = 12;

  /** The slot's id; a warm spare's own id until it takes over a slot ({@link #takeSlot}). */
  private volatile int id;
  private final String token;
  private final PoolSettings settings;
  private final Path logFile;
  private final ScheduledExecutorService timer;
  private final AtomicReference<WorkerState> state = new AtomicReference<>(WorkerState.STARTING);
  private final CompletableFuture<WorkerProcess> ready = new CompletableFuture<>();
  private final CompletableFuture<ExitDescription> exited = new CompletableFuture<>();
  private final long spawnNanos;
  private final Process process;
  private volatile Transport<WorkerEnvelope, ParentEnvelope> transport;
  private volatile WorkerConnection connection;
  /** What the connection runs after each burst of batched answers; set by the pool's router. */
  private volatile Runnable afterAnswerBurst = () -> { };
  private volatile Hello hello;
  private volatile long readyNanos;
  private volatile String failureCause;
  /** The public view of this process, set by the pool right after the spawn. */
  volatile PoolWorker view;
  /** Set before this parent kills a worker that outlived its channel, so the exit says who sent the SIGKILL. */
  private volatile boolean destroyedDeliberately;
  /** The shm file this worker maps, removed when it exits; null on other transports. */
  private final Path shmFile;
  /** The kernel's OOM kills when this worker started, to tell whether a SIGKILL was one of them. */
  private final long oomKillsAtStart;

  /** Wraps a process {@link WorkerLauncher} has just started; {@code shmFile} is null on other transports. */
  WorkerProcess(int id, String token, PoolSettings settings, Path logFile, ScheduledExecutorService timer,
      Process process, long spawnNanos, Path shmFile) {
    this.id = id;
    this.token = token;
    this.settings = settings;
    this.logFile = logFile;
    this.timer = timer;
    this.process = process;
    this.spawnNanos = spawnNanos;
    this.shmFile = shmFile;
    this.oomKillsAtStart = OomKills.count();
  }

  /** Called by the handshake gate once the hello checked out: sends the welcome and becomes ready. */
  void bind(Hello hello, Transport<WorkerEnvelope, ParentEnvelope> transport) {
    this.hello = hello;
    this.transport = transport;
    WorkerConnection c = new WorkerConnection(name(), transport, settings.maxFrameBytes(), timer,
        hello.getAcceptsTaskBatches());
    this.connection = c;
    // After publishing the connection: a hook set meanwhile either sees it or is read here.
    c.afterAnswerBurst(afterAnswerBurst);
    transport.send(ParentEnvelope.newBuilder()
        .setWelcome(Welcome.newBuilder()
            .setParentPid(ProcessHandle.current().pid())
            .setHeartbeatIntervalMs((int) settings.heartbeatInterval().toMillis())
            .setHeartbeatTimeoutMs((int) settings.heartbeatTimeout().toMillis())
            .setMaxFrameBytes(settings.maxFrameBytes()))
        .build());
    readyNanos = System.nanoTime();
    if (moveTo(WorkerState.READY, "handshake done over " + transport.describe() + " in "
        + spawnToReady().toMillis() + " ms")) {
      ready.complete(this);
    }
  }

  /**
   * Whether {@code hello} may come from this worker: token, the kernel's word on the peer (Unix sockets), the pid
   * it claims and a free slot. Null if so, else why not.
   *
   * @param peer the Unix socket peer's credentials, or null where there are none (a pipe, TCP)
   */
  String checkHello(Hello hello, PeerIdentity peer) {
    if (!java.security.MessageDigest.isEqual(
        token.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        hello.getToken().getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
      return "the token does not match the one issued to " + name() + "; only the process ipclab spawned"
          + " as " + name() + " has it";
    }
    // After the token: a valid token from the wrong process is exactly what a same-uid process reading our
    // /proc/<pid>/environ would present, and only the kernel's credentials tell it apart.
    if (peer != null && (peer.pid() != process.pid() || peer.uid() != OUR_UID)) {
      return "the peer on the Unix socket is " + peer + " (SO_PEERCRED), but " + name() + " is pid "
          + process.pid() + ", uid " + OUR_UID + "; it presented " + name() + "'s valid token, so another process"
          + " read it (from /proc/" + process.pid() + "/environ, say). Refused; only the process ipclab spawned"
          + " may speak for " + name();
    }
    if (hello.getPid() != process.pid()) {
      return "the hello claims pid " + hello.getPid() + " but " + name() + " is pid " + process.pid();
    }
    if (connection != null || state.get() != WorkerState.STARTING) {
      return name() + " is already " + state.get() + " with a channel; a second hello is refused";
    }
    return null;
  }

  /** The handshake gate turned this worker's channel away; the worker will exit, and this is why. */
  void onRefused(String reason) {
    failureCause = reason;
    reapSoon("its handshake was refused");
  }

  void onProtocolError(ProtocolException error) {
    failureCause = "protocol error: " + error.getMessage();
    reapSoon("its channel broke the protocol");
  }

  /**
   * The channel is gone. Requests in flight are not failed here but when the process exit is seen (at most a
   * second later, see {@link #reapSoon}), so that they fail with the decoded exit, the cause people need.
   */
  void onChannelClosed(Throwable cause) {
    WorkerState s = state.get();
    if (s == WorkerState.STOPPING || s.isTerminal()) {
      return;
    }
    log.info(() -> name() + " pid " + pid() + ": channel closed while " + s
        + (cause != null ? " (" + cause + ")" : "") + "; expecting the process to exit");
    reapSoon("its channel closed");
  }

  /**
   * A worker without a channel is useless. It normally exits at once by itself (or has just died, which is why
   * the channel closed); if it is still alive a second later, that is the fault to report, and it is killed.
   */
  private void reapSoon(String why) {
    timer.schedule(() -> {
      if (process.isAlive()) {
        if (failureCause == null) {
          failureCause = why + " but the process kept running";
        }
        log.warning(() -> name() + " pid " + pid() + " still alive 1 s after " + why + "; sending SIGKILL");
        destroyedDeliberately = true;
        process.destroyForcibly();
      }
    }, 1, TimeUnit.SECONDS);
  }

  /** Run on the process's exit (hooked by the launcher); whatever goes wrong, {@link #exit()} completes. */
  void onProcessExitSafely() {
    try {
      onProcessExit();
    } catch (RuntimeException | Error e) {
      log.log(Level.SEVERE, name() + " pid " + pid() + ": failed to process its exit", e);
      WorkerFailedException gone = new WorkerFailedException(name() + " pid " + pid() + " exited with status "
          + process.exitValue() + " (exit bookkeeping failed: " + e + ")");
      ready.completeExceptionally(gone);
      WorkerConnection c = connection;
      if (c != null) {
        c.failAll(gone);
      }
      exited.complete(new ExitDescription(process.exitValue(), false, "exit bookkeeping failed: " + e, List.of()));
    }
  }

  private void onProcessExit() {
    int status = process.exitValue();
    // Deliberate means we asked for it: the state was STOPPING when the exit came, whatever else raced, or we
    // killed a worker that outlived its channel (still a crash: failureCause says what went wrong before).
    boolean deliberate = state.get() == WorkerState.STOPPING || destroyedDeliberately;
    ExitDescription exit = new ExitDescription(status, deliberate, failureCause,
        LogTail.read(logFile, LOG_TAIL_LINES), OomKills.between(oomKillsAtStart, OomKills.count()));
    WorkerState target = exit.isCrash() ? WorkerState.CRASHED : WorkerState.EXITED;
    if (!moveTo(target, exit.summary())) {
      forceTerminal(exit.summary());
    }
    WorkerFailedException gone = new WorkerFailedException(name() + " pid " + pid() + " is gone: "
        + exit.withLogTail(logFile.toString()));
    WorkerConnection c = connection;
    if (c != null) {
      c.failAll(gone);
    }
    ready.completeExceptionally(gone);
    Transport<WorkerEnvelope, ParentEnvelope> t = transport;
    if (t != null) {
      t.close();
    }
    closeStdin();
    deleteShmFile();
    if (exit.isCrash()) {
      log.warning(() -> name() + " pid " + pid() + " crashed: " + exit.withLogTail(logFile.toString()));
    }
    exited.complete(exit);
  }

  /** Heartbeats stopped arriving: the process may be stopped, stuck or starved. */
  boolean markHung(long silentMs) {
    return moveTo(WorkerState.HUNG, "nothing heard for " + silentMs + " ms (timeout "
        + settings.heartbeatTimeout().toMillis() + " ms); stopped (SIGSTOP), stuck or starved?");
  }

  void markRecovered() {
    moveTo(WorkerState.READY, "heard from again");
  }

  /**
   * Kills a worker declared hung, at once, with SIGKILL (a stopped or stuck process cannot be asked to exit). The
   * kill is ours, so the decoded exit says ipclab sent it, and {@code cause} is why. False if it was no longer
   * hung (it spoke again, or died meanwhile).
   */
  boolean killHung(String cause) {
    if (!moveTo(WorkerState.STOPPING, "killing it with SIGKILL: " + cause)) {
      return false;
    }
    failureCause = cause;
    List<ProcessHandle> children = process.descendants().toList();
    process.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
    return true;
  }

  /**
   * Stops the worker: asks it to shut down, waits up to {@code grace} for its exit, then SIGTERM, then SIGKILL.
   * Its own child processes are killed too. Returns the decoded exit.
   */
  public ExitDescription shutdown(Duration grace, String reason) {
    if (!state.get().isTerminal()) {
      List<ProcessHandle> children = process.descendants().toList();
      if (moveTo(WorkerState.STOPPING, reason)) {
        WorkerConnection c = connection;
        if (c != null) {
          c.shutdown(reason, grace.toMillis());
        } else {
          closeStdin(); // not yet connected: end-of-stream on stdin is how it learns to go
        }
      }
      if (!awaitExit(grace)) {
        log.warning(() -> name() + " pid " + pid() + " did not exit within " + grace.toMillis()
            + " ms of shutdown; sending SIGTERM");
        process.destroy();
        if (!awaitExit(Duration.ofSeconds(2))) {
          log.warning(() -> name() + " pid " + pid() + " ignored SIGTERM for 2 s; sending SIGKILL");
          process.destroyForcibly();
        }
      }
      children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
    try {
      return exited.get(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(name() + " pid " + pid() + " survived SIGKILL for 10 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return exited.getNow(null);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean awaitExit(Duration timeout) {
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      exited.get(timeout.toMillis(), TimeUnit.MILLISECONDS); // and our bookkeeping of it
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return true;
    }
  }

  private void closeStdin() {
    try {
      OutputStream stdin = process.getOutputStream();
      stdin.close();
    } catch (IOException e) {
      log.log(Level.FINE, "closing stdin of " + name(), e);
    }
  }

  /** The worker is gone, so are its rings: remove the file now, not only when the pool closes. */
  private void deleteShmFile() {
    Path file = shmFile;
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        log.warning(() -> "cannot remove " + file + " of " + name() + ": " + e.getMessage());
      }
    }
  }

  /** The shm file this worker maps, or null on other transports. */
  public Path shmFile() {
    return shmFile;
  }

  /**
   * The process is gone whatever the state machine expected: record that, as a crash, unless it already ended
   * (EXITED or CRASHED), in one atomic step, so that no thread ever reads a terminal state turned into another.
   */
  void forceTerminal(String why) {
    WorkerState previous = state.getAndUpdate(s -> s.isTerminal() ? s : WorkerState.CRASHED);
    if (!previous.isTerminal()) {
      log.warning(() -> name() + " pid " + pid() + ": " + previous + " -> CRASHED (" + why + ")");
    }
  }

  /** Moves the state machine, logging the transition; false if the move is not allowed from where it is. */
  private boolean moveTo(WorkerState target, String why) {
    while (true) {
      WorkerState current = state.get();
      if (!current.canMoveTo(target)) {
        log.fine(() -> name() + ": ignoring " + current + " -> " + target + " (" + why + ")");
        return false;
      }
      if (state.compareAndSet(current, target)) {
        Level level = target == WorkerState.CRASHED || target == WorkerState.HUNG ? Level.WARNING : Level.INFO;
        log.log(level, "{0} pid {1,number,#}: {2} -> {3} ({4})", new Object[] {name(), pid(), current, target, why});
        return true;
      }
    }
  }

  /** Completes when the handshake is done; fails if the worker exits first. */
  public CompletableFuture<WorkerProcess> ready() {
    return ready;
  }

  /** Completes with the decoded exit once the process has exited and been reaped. */
  public CompletableFuture<ExitDescription> exit() {
    return exited;
  }

  public int id() {
    return id;
  }

  /** A warm spare takes over slot {@code slotId}: it answers to that slot's id and name from now on. */
  void takeSlot(int slotId) {
    int was = id;
    id = slotId;
    log.info(() -> "worker-" + was + " pid " + pid() + " (a ready spare) takes over slot worker-" + slotId);
  }

  /** {@code worker-3}. */
  public String name() {
    return "worker-" + id;
  }

  public long pid() {
    return process.pid();
  }

  public WorkerState state() {
    return state.get();
  }

  /** The parent's counters of the channel now; all zero before the handshake. */
  WorkerTraffic traffic() {
    WorkerConnection c = connection;
    return c == null ? new WorkerTraffic(0, 0, 0, 0, 0, 0, 0) : c.traffic();
  }

  /** The public view of this process in its pool; null until the pool has made it. */
  PoolWorker view() {
    return view;
  }

  /** Sets what runs after the answers of each TaskResultBatch from this worker have been delivered. */
  void afterAnswerBurst(Runnable hook) {
    afterAnswerBurst = hook;
    WorkerConnection c = connection;
    if (c != null) {
      c.afterAnswerBurst(hook);
    }
  }

  /** The channel, once the handshake is done; throws before. */
  public WorkerConnection connection() {
    WorkerConnection c = connection;
    if (c == null) {
      throw new IllegalStateException(name() + " is " + state.get() + " and has no channel yet");
    }
    return c;
  }

  /** What the worker said about itself in its hello; null before the handshake. */
  public Hello hello() {
    return hello;
  }

  /** From spawn to handshake done; zero while still starting. */
  public Duration spawnToReady() {
    long r = readyNanos;
    return r == 0 ? Duration.ZERO : Duration.ofNanos(r - spawnNanos);
  }

  public Path logFile() {
    return logFile;
  }

  /** The OS process, for checks with ProcessHandle (descendants, info). */
  public ProcessHandle handle() {
    return process.toHandle();
  }

  @Override
  public void close() {
    shutdown(settings.shutdownGrace(), "closed by its owner");
  }

  @Override
  public String toString() {
    return name() + " pid " + pid() + " " + state.get();
  }
}
