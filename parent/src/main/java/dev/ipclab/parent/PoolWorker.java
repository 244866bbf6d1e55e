package dev.ipclab.parent;

import com.google.protobuf.ByteString;
import dev.ipclab.proto.v1.Hello;
import dev.ipclab.proto.v1.Pong;
import dev.ipclab.proto.v1.WorkerStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One worker process of a {@link WorkerPool}, as its callers see it: who it is (id, pid, log), its
 * {@link WorkerState} and decoded exit, and the requests that make sense for one worker only: pings, a status
 * request, a one-way stream for throughput measurements, and tasks pinned to it. {@link WorkerPool#worker(int)}
 * and {@link WorkerPool#workers()} return these.
 *
 * <p>A view belongs to one process: after a restart or a recycle the pool has a new process in the slot, and
 * {@code pool.worker(id)} a new view; this one keeps describing the old process (its pid, its exit).
 *
 * <pre>{@code
 * PoolWorker w = pool.worker(2);
 * Pong pong = w.ping(ByteString.copyFromUtf8("hi"), Duration.ofSeconds(5)).get();
 * TaskOutcome done = w.submit(TaskSpec.of("echo", payload)).await(); // pool.submit(spec.onWorker(2))
 * }</pre>
 */
public final class PoolWorker {
  /** How long {@link #ping(ByteString)} waits for its pong. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private final WorkerProcess process;
  private final WorkerPool pool;

  PoolWorker(WorkerProcess process, WorkerPool pool) {
    this.process = process;
    this.pool = pool;
  }

  /** The process behind this view, for the pool's own classes. */
  WorkerProcess process() {
    return process;
  }

  /** The worker's slot in its pool, from 1. */
  public int id() {
    return process.id();
  }

  /** {@code worker-3}. */
  public String name() {
    return process.name();
  }

  public long pid() {
    return process.pid();
  }

  public WorkerState state() {
    return process.state();
  }

  /** Completes with the decoded exit once the process has exited and been reaped. */
  public CompletableFuture<ExitDescription> exit() {
    return process.exit();
  }

  /** From spawn to handshake done; zero while still starting. */
  public Duration spawnToReady() {
    return process.spawnToReady();
  }

  /** Where the worker's stderr (and moved-aside stdout) goes. */
  public Path logFile() {
    return process.logFile();
  }

  /** The OS process, for checks with ProcessHandle (descendants, info). */
  public ProcessHandle handle() {
    return process.handle();
  }

  /** What the worker said about itself in its hello; null before the handshake. */
  public Hello hello() {
    return process.hello();
  }

  /** The shm file this worker maps, or null on other transports. */
  public Path shmFile() {
    return process.shmFile();
  }

  /** The parent's counters of this worker's channel now; all zero before the handshake. */
  public WorkerTraffic traffic() {
    return process.traffic();
  }

  /** Sends a ping carrying {@code payload}; completes with the pong, or fails with the reason. */
  public CompletableFuture<Pong> ping(ByteString payload) {
    return ping(payload, DEFAULT_TIMEOUT);
  }

  /**
   * Sends a ping; completes with the pong, or fails with the reason, at the latest after {@code timeout}: a
   * {@link RequestTimeoutException}, a {@link WorkerFailedException} if the channel dies first, or an
   * {@link IllegalArgumentException} for a payload over the frame limit. Blocks while the worker does not read and
   * the channel's buffers are full, as any send does. {@link Await#result} waits and throws the failure as it is.
   *
   * @throws IllegalStateException before the worker's handshake is done
   */
  public CompletableFuture<Pong> ping(ByteString payload, Duration timeout) {
    return process.connection().ping(payload, timeout);
  }

  /**
   * Like {@link #ping(ByteString, Duration)}, but never blocks: if too much already waits for a worker that does
   * not read, the future fails at once. For probes and load generators that must not hang.
   */
  public CompletableFuture<Pong> tryPing(ByteString payload, Duration timeout) {
    return process.connection().tryPing(payload, timeout);
  }

  /**
   * Asks the worker for its own counters, without ever blocking; completes with them, or fails with a
   * {@link RequestTimeoutException} after {@code timeout}.
   */
  public CompletableFuture<WorkerStatus> status(Duration timeout) {
    return process.connection().status(timeout);
  }

  /**
   * Sends {@code count} one-way pings (the worker does not answer them), batched into as few writes as fit: the
   * stream a throughput measurement times. Follow it with a {@link #ping} and wait for its pong to know the worker
   * has read everything. Blocks while the worker does not read.
   */
  public void sendOneWayPings(ByteString payload, int count) {
    process.connection().sendOneWayPings(payload, count);
  }

  /**
   * Submits a task pinned to this worker's slot: the same as {@code pool.submit(spec.onWorker(id()))}, routed by
   * the pool with all its guarantees (see {@link TaskSpec#onWorker}).
   */
  public TaskHandle submit(TaskSpec spec) throws InterruptedException {
    return pool.submit(spec.onWorker(id()));
  }

  @Override
  public String toString() {
    return process.toString();
  }
}
