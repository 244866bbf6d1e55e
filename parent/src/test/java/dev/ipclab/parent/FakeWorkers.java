package dev.ipclab.parent;

import com.google.protobuf.ByteString;
import dev.ipclab.proto.v1.Hello;
import dev.ipclab.proto.v1.TaskResult;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.Frames;
import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.Protocol;
import dev.ipclab.transport.TransportKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link WorkerFactory} for unit tests: each worker is a {@link FakeProcess} on a {@link FakeTransport}, and it
 * says its hello through a real {@link HandshakeGate} at once (judged by the pool's rules against itself, as on a
 * pipe; the {@code registry} handed in is not asked), so it is READY when {@link #create} returns. The
 * test plays the worker's side: it answers tasks ({@link Worker#answer}) and ends the process when it likes; a
 * worker asked to shut down exits with 0 by itself.
 */
final class FakeWorkers implements WorkerFactory {
  /** Fake pids start here, far above any real one on Linux (pid_max is at most 2^22). */
  private static final long FIRST_PID = 10_000_000;

  /** One fake worker: the parent's side of it, its process and its channel. */
  record Worker(WorkerProcess process, FakeProcess os, FakeTransport channel) {
    /** The request id of the n-th task (from 0) the parent sent this worker. */
    long taskRequestId(int n) {
      return channel.sent.stream().filter(e -> e.hasTask()).toList().get(n).getRequestId();
    }

    /** How many tasks the parent sent this worker. */
    long tasksSent() {
      return channel.sent.stream().filter(e -> e.hasTask()).count();
    }

    /** The worker answers the n-th task it was sent with {@code payload}. */
    void answer(int n, String payload) {
      channel.listener.onMessage(WorkerEnvelope.newBuilder().setRequestId(taskRequestId(n))
          .setTaskResult(TaskResult.newBuilder().setPayload(ByteString.copyFromUtf8(payload))).build());
    }
  }

  private final PoolSettings settings;
  private final ScheduledExecutorService timer;
  private final AtomicLong pids = new AtomicLong(FIRST_PID);
  /** Every worker created, in order. */
  final List<Worker> created = new CopyOnWriteArrayList<>();

  FakeWorkers(PoolSettings settings, ScheduledExecutorService timer) {
    this.settings = settings;
    this.timer = timer;
  }

  @Override
  public WorkerProcess create(int id, Path logFile, WorkerRegistry registry) throws IOException {
    Files.createDirectories(logFile.getParent());
    Files.writeString(logFile, "");
    FakeProcess os = new FakeProcess(pids.incrementAndGet());
    String token = "token-" + os.pid();
    WorkerProcess worker = new WorkerProcess(id, token, settings, logFile, timer, os, System.nanoTime(), null);
    os.onExit().thenRun(worker::onProcessExitSafely); // as the launcher hooks a real process
    FakeTransport channel = new FakeTransport();
    channel.onSent = message -> {
      if (message.hasShutdown()) {
        timer.execute(() -> os.exit(0)); // a worker asked to go goes, as the real one does
      }
    };
    created.add(new Worker(worker, os, channel));
    // The pool's rules, judged against this worker: it is the one expected on this channel (as on a pipe), and the
    // slot knows it only once this returns.
    WorkerRegistry onlyThis = new PoolAdmission(settings, claimed -> claimed == id ? worker : null);
    HandshakeGate.guard(onlyThis, channel, null, timer, settings.handshakeTimeout().toMillis(), reason -> {});
    channel.listener.onMessage(WorkerEnvelope.newBuilder().setHello(hello(id, os.pid(), token)).build());
    return worker;
  }

  /** The hello a worker with this id, pid and token says first. */
  static Hello hello(int id, long pid, String token) {
    return Hello.newBuilder().setWorkerId(id).setPid(pid).setToken(token).setProtocolVersion(Protocol.VERSION)
        .build();
  }

  /** The last worker created with slot id {@code id}. */
  Worker last(int id) {
    for (int i = created.size() - 1; i >= 0; i--) {
      if (created.get(i).process().id() == id) {
        return created.get(i);
      }
    }
    throw new IllegalStateException("no fake worker-" + id + " was created");
  }

  /**
   * Pool settings for unit tests: pipes, one task in flight per worker, the given attempts and restart intensity,
   * a fixed 1 ms restart backoff.
   */
  static PoolSettings settings(int workers, int maxAttempts, int maxRestarts, PoolListener listener) {
    return new PoolSettings(workers, TransportKind.PIPE, IdleStrategy.BLOCK, Duration.ofHours(1),
        Duration.ofHours(2), Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(1),
        Frames.DEFAULT_MAX_FRAME_BYTES, null, List.of(), Map.of(), false,
        new TaskRouter.Limits(1, maxAttempts, 10, Backpressure.FAIL, 0, 0), maxRestarts, Duration.ofHours(1),
        Duration.ofMillis(1), Duration.ofMillis(1), listener, WorkerLaunch.DEFAULT, false, false, 0);
  }
}
