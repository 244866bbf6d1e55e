package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.Await;
import dev.ipclab.parent.IpclabException;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.RemoteErrorException;
import dev.ipclab.parent.TaskFailedException;
import dev.ipclab.parent.TaskHandle;
import dev.ipclab.parent.TaskOutcome;
import dev.ipclab.parent.TaskSpec;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.WorkerState;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.Ping;
import dev.ipclab.proto.v1.TaskResult;
import dev.ipclab.proto.v1.WorkerStatus;
import dev.ipclab.transport.TransportKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Tasks over every transport: results with the worker thread that ran them, errors that leave the worker up. */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskIT {

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void tasksRunOffTheReaderAndFailuresComeBackAsErrors(TransportKind transport) throws Exception {
    try (WorkerPool pool = Pools.builder(transport, 1).start()) {
      PoolWorker w = pool.worker(1);
      Duration timeout = Duration.ofSeconds(10);

      // A long task does not block a short one behind it on the same channel.
      long slowSubmitted = System.nanoTime();
      CompletableFuture<TaskResult> slow = submit(w, "sleep", "3000", timeout).outcome().thenApply(TaskOutcome::result);
      TaskResult echo = submit(w, "echo", "hi", timeout).outcome().get(10, TimeUnit.SECONDS).result();
      boolean slowDone = slow.isDone();
      long echoedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - slowSubmitted);
      // The sleep's 3 s began after it was submitted: an echo answered sooner than that overtook it, or waited.
      assumeTrue(echoedMs < 3_000, "the echo took " + echoedMs + " ms from the sleep's submission, so the 3 s"
          + " sleep may have ended first on its own");
      assertThat(slowDone).as("the 3 s sleep when the echo behind it was answered").isFalse();
      assertThat(echo.getPayload().toStringUtf8()).isEqualTo("hi");
      // The TID it reports is a thread of the worker, named as Java named it (the kernel keeps 15 bytes of a name;
      // an echo runs inline, on the reading thread, whose name is longer than a task thread's).
      Path task = Path.of("/proc", Long.toString(w.pid()), "task", Long.toString(echo.getTid()));
      assertThat(task).isDirectory();
      String comm = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).trim();
      assertThat(comm).isNotEmpty();
      assertThat(echo.getThreadName()).startsWith(comm);
      assertThat(slow.get(10, TimeUnit.SECONDS).getEndNanos() - slow.get().getStartNanos())
          .isGreaterThanOrEqualTo(3_000_000_000L);

      assertRemoteError(w, "no-such-kind", ErrorCode.ERROR_CODE_UNKNOWN_TASK_KIND, "no task kind 'no-such-kind'");
      assertRemoteError(w, "fail", ErrorCode.ERROR_CODE_TASK_FAILED, "failed in the worker");
      assertRemoteError(w, "threads-share.race", ErrorCode.ERROR_CODE_BAD_TASK_PAYLOAD, "is not the message");

      // None of that hurt the worker.
      assertThat(w.ping(ByteString.EMPTY).get(5, TimeUnit.SECONDS)).isNotNull();
      assertThat(w.state()).isEqualTo(WorkerState.READY);
    }
  }

  @ParameterizedTest
  @EnumSource(value = TransportKind.class, names = {"PIPE", "UDS"})
  void cancelledAndOverdueTasksAreDroppedInTheWorkerWhichStaysWarm(TransportKind transport) throws Exception {
    try (WorkerPool pool = Pools.builder(transport, 1).start()) {
      PoolWorker w = pool.worker(1);
      long pid = w.pid();

      TaskHandle running = submit(w, "sleep", "60000", Duration.ofSeconds(90));
      awaitTasksInFlight(w, 1);
      assertThat(running.cancel("the test cancels it")).isTrue();
      assertThatThrownBy(running::await)
          .isInstanceOf(CancellationException.class).hasMessageContaining("the test cancels it");
      // The worker interrupted the task and answered it: nothing runs there any more, and it is the same process.
      awaitTasksInFlight(w, 0);
      assertThat(running.cancel("again")).as("cancelled once only").isFalse();

      // The parent's deadline passes: the caller gets a timeout and the worker is told to drop the task too.
      TaskHandle overdue = submit(w, "sleep", "60000", Duration.ofMillis(300));
      assertThatThrownBy(overdue::await)
          .isInstanceOf(TaskFailedException.class)
          .hasMessageContaining("300 ms") // the parent's timer or the worker's, whichever fired first
          .cause().isInstanceOf(TimeoutException.class);
      awaitTasksInFlight(w, 0);

      assertThat(submit(w, "echo", "warm", Duration.ofSeconds(10)).outcome().get(10, TimeUnit.SECONDS).result()
          .getPayload().toStringUtf8()).isEqualTo("warm");
      assertThat(w.pid()).isEqualTo(pid);
      // The worker counts a reply once it is written, which may be just after the parent read it.
      WorkerStatus status = awaitStatus(w, st -> st.getTasksCompleted() == 1);
      assertThat(status.getTasksFailed()).as("the two dropped tasks, answered as errors").isEqualTo(2);
    }
  }

  @Test
  void typedCallsReturnTheParsedReplyOrThrowTheIpclabExceptionItself() throws Exception {
    try (WorkerPool pool = Pools.builder(TransportKind.PIPE, 2).start()) {
      Ping request = Ping.newBuilder().setPayload(ByteString.copyFromUtf8("typed")).setParentSendNanos(42).build();
      assertThat(Await.result(pool.call("echo", request, Ping.parser()))).isEqualTo(request);
      assertThat(Await.result(pool.call(TaskSpec.of("echo", request.toByteString()).onWorker(2)
          .withDeadline(Duration.ofSeconds(10)), Ping.parser()))).isEqualTo(request);

      // Failures are the library's own exceptions, not an ExecutionException to unwrap.
      assertThatThrownBy(() -> Await.result(pool.call("fail", request, Ping.parser())))
          .isInstanceOf(TaskFailedException.class).isInstanceOf(IpclabException.class)
          .hasMessageContaining("the worker refused or failed it")
          .cause().isInstanceOf(RemoteErrorException.class);
      CompletableFuture<Ping> failed = pool.call("fail", request, Ping.parser());
      assertThat(failed).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
          .havingCause().isInstanceOf(TaskFailedException.class);
      assertThatThrownBy(() -> Await.result(pool.call(TaskSpec.of("echo", ByteString.copyFrom(new byte[] {(byte) 0xff})),
          Ping.parser())))
          .isInstanceOf(TaskFailedException.class).hasMessageContaining("bytes that are not a Ping");
    }
  }

  @ParameterizedTest
  @EnumSource(value = TransportKind.class, names = {"PIPE", "UDS"})
  void pinnedTasksRunOnTheirWorkerOnlyAndAreNotRetriedElsewhere(TransportKind transport) throws Exception {
    try (WorkerPool pool = Pools.builder(transport, 2).start()) {
      PoolWorker two = pool.worker(2);
      for (int i = 0; i < 6; i++) {
        TaskOutcome done = pool.submit(TaskSpec.of("echo", ByteString.copyFromUtf8("to two " + i)).onWorker(2))
            .outcome().get(10, TimeUnit.SECONDS);
        assertThat(done.workerId()).isEqualTo(2);
        assertThat(done.workerPid()).isEqualTo(two.pid());
        assertThat(done.result().getPayload().toStringUtf8()).isEqualTo("to two " + i);
      }
      assertThatThrownBy(() -> pool.submit(TaskSpec.of("echo", ByteString.EMPTY).onWorker(3)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ids 1..2");

      // Its worker dies under it: a pinned task fails with the exit, it does not move to worker-1.
      PoolWorker one = pool.worker(1);
      TaskHandle pinned = submit(one, "sleep", "60000", Duration.ofSeconds(30));
      awaitTasksInFlight(one, 1);
      one.handle().destroyForcibly();
      assertThatThrownBy(() -> pinned.outcome().get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TaskFailedException.class)
          .hasMessageContaining("pinned to worker-1")
          .satisfies(e -> assertThat(((TaskFailedException) e).attempts()).isEqualTo(1));
      assertThat(pool.stats().retried()).isZero();
    }
  }

  /** Waits until the worker itself reports {@code n} tasks in flight. */
  private static void awaitTasksInFlight(PoolWorker w, long n) throws Exception {
    assertThat(awaitStatus(w, st -> st.getTasksInFlight() == n).getTasksInFlight())
        .as("tasks in flight in " + w.name()).isEqualTo(n);
  }

  /** The worker's status once {@code done} holds, or the last one seen after 10 s. */
  private static WorkerStatus awaitStatus(PoolWorker w, java.util.function.Predicate<WorkerStatus> done)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    WorkerStatus seen;
    do {
      seen = w.status(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
      if (done.test(seen)) {
        break;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return seen;
  }

  /** A task pinned to {@code w}, through the pool's router. */
  private static TaskHandle submit(PoolWorker w, String kind, String payload, Duration deadline)
      throws InterruptedException {
    return w.submit(TaskSpec.of(kind, ByteString.copyFromUtf8(payload)).withDeadline(deadline));
  }

  private static void assertRemoteError(PoolWorker w, String kind, ErrorCode code, String message) {
    ByteString payload = kind.equals("threads-share.race") ? ByteString.copyFrom(new byte[] {(byte) 0xff})
        : ByteString.copyFromUtf8("x");
    assertThatThrownBy(() -> w.submit(TaskSpec.of(kind, payload).withDeadline(Duration.ofSeconds(10))).outcome()
        .get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(TaskFailedException.class)
        .cause().isInstanceOf(RemoteErrorException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((RemoteErrorException) e).code()).isEqualTo(code));
  }
}
