package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ipclab.proto.v1.Hello;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.TaskResult;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.Transport;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.TransportListener;
import dev.ipclab.transport.frame.Frames;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Cancelling a task: what the caller's future says, also when the cancel races the worker's death. */
@Timeout(30)
class TaskCancelTest {
  private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
  private Process process;

  @AfterEach
  void cleanUp() throws Exception {
    timer.shutdownNow();
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aCancelledTasksFutureIsCancelledWithItsReason() throws Exception {
    WorkerConnection connection = new WorkerConnection("worker-1", new FakeTransport(),
        Frames.DEFAULT_MAX_FRAME_BYTES, timer);
    WorkerConnection.SubmittedTask task = connection.submitTask("sleep", ByteString.EMPTY, Duration.ofSeconds(30), 1);

    assertThat(connection.cancel(task.requestId(), "the caller changed its mind")).isTrue();

    assertThat(task.result().isCancelled()).isTrue();
    assertThatThrownBy(() -> task.result().get()).isInstanceOf(CancellationException.class);
    assertThat(task.result().handle((r, e) -> e).get()).as("what the future failed with, unwrapped")
        .isInstanceOf(CancellationException.class).hasMessageContaining("the caller changed its mind");
  }

  @Test
  void aCancelThatRacesTheWorkersDeathIsACancellation() throws Exception {
    BlockingTaskSends transport = new BlockingTaskSends();
    PoolSettings settings = settings();
    process = new ProcessBuilder("sleep", "60").start(); // a process for the worker to own; it never speaks
    WorkerProcess worker = new WorkerProcess(1, "token", settings, null, timer, process, System.nanoTime(), null);
    worker.bind(Hello.getDefaultInstance(), transport);
    WorkerSlot slot = new WorkerSlot(1);
    TaskRouter router = new TaskRouter(settings.limits(), List.of(slot), timer, settings.listener(), (s, w) -> {});
    router.fill(slot, worker);

    TaskHandle first = router.submit(TaskSpec.of("echo", ByteString.EMPTY));
    TaskHandle second = router.submit(TaskSpec.of("echo", ByteString.EMPTY)); // queued: one in flight per worker
    long firstId = transport.tasks.getFirst().getRequestId();
    transport.blockNextTask = true;
    // The first task's answer frees the room; the second is sent on, and its send is held up in the transport.
    Thread reader = Thread.ofPlatform().name("test-reader").start(() -> worker.connection().onMessage(
        WorkerEnvelope.newBuilder().setRequestId(firstId).setTaskResult(TaskResult.getDefaultInstance()).build()));
    assertThat(transport.inSend.await(10, TimeUnit.SECONDS)).as("the second task is being sent").isTrue();
    assertThat(first.outcome()).isCompleted();

    // The caller cancels while the send is under way; then the worker dies before the send returns.
    assertThat(second.cancel("the caller changed its mind")).isTrue();
    worker.connection().failAll(new WorkerFailedException("worker-1 pid " + process.pid() + " is gone: exit 137"));
    transport.release.countDown();
    reader.join(10_000);

    Throwable failure = second.outcome().handle((o, e) -> e).get(10, TimeUnit.SECONDS);
    assertThat(failure).as("the outcome of a task whose cancel() returned true")
        .isInstanceOf(CancellationException.class).hasMessageContaining("the caller changed its mind");
    assertThat(second.outcome().isCancelled()).isTrue();
    assertThat(router.stats(0).cancelled()).isEqualTo(1);
    assertThat(router.stats(0).failed()).isZero();
    assertThat(router.stats(0).inFlight()).isZero();
  }

  private static PoolSettings settings() {
    return new PoolSettings(1, TransportKind.PIPE, IdleStrategy.BLOCK, Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(1), Frames.DEFAULT_MAX_FRAME_BYTES, null,
        List.of(), Map.of(), false, new TaskRouter.Limits(1, 3, 10, Backpressure.FAIL, 0, 0), 10,
        Duration.ofSeconds(60), Duration.ofMillis(100), Duration.ofSeconds(5), new PoolListener() {},
        WorkerLaunch.DEFAULT, false, false, 0);
  }

  /** Records what is sent; once armed, holds up the next task's send until released. */
  private static final class BlockingTaskSends implements Transport<WorkerEnvelope, ParentEnvelope> {
    final List<ParentEnvelope> tasks = new java.util.concurrent.CopyOnWriteArrayList<>();
    final CountDownLatch inSend = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean blockNextTask;
    private final FakeTransport inner = new FakeTransport();

    @Override
    public void send(ParentEnvelope message) {
      if (message.hasTask()) {
        tasks.add(message);
        if (blockNextTask) {
          blockNextTask = false;
          inSend.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
      inner.send(message);
    }

    @Override
    public void start(TransportListener<WorkerEnvelope> listener) {
      inner.start(listener);
    }

    @Override
    public void offer(ParentEnvelope message) {
      inner.offer(message);
    }

    @Override
    public void sendAndClose(ParentEnvelope message) {
      inner.sendAndClose(message);
    }

    @Override
    public CompletableFuture<Throwable> closeFuture() {
      return inner.closeFuture();
    }

    @Override
    public String describe() {
      return "worker-1 (test)";
    }

    @Override
    public TransportKind kind() {
      return TransportKind.PIPE;
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
