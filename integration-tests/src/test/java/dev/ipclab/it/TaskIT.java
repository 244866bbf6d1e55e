package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.RemoteErrorException;
import dev.ipclab.parent.WorkerConnection;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.WorkerProcess;
import dev.ipclab.parent.WorkerState;
import dev.ipclab.proto.v1.ErrorCode;
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
      WorkerProcess w = pool.worker(1);
      Duration timeout = Duration.ofSeconds(10);

      // A long task does not block a short one behind it on the same channel.
      long slowSubmitted = System.nanoTime();
      CompletableFuture<TaskResult> slow = w.connection().submit("sleep", ByteString.copyFromUtf8("3000"), timeout);
      TaskResult echo = w.connection().submit("echo", ByteString.copyFromUtf8("hi"), timeout).get(10, TimeUnit.SECONDS);
      boolean slowDone = slow.isDone();
      long echoedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - slowSubmitted);
      // The sleep's 3 s began after it was submitted: an echo answered sooner than that overtook it, or waited.
      assumeTrue(echoedMs < 3_000, "the echo took " + echoedMs + " ms from the sleep's submission, so the 3 s"
          + " sleep may have ended first on its own");
      assertThat(slowDone).as("the 3 s sleep when the echo behind it was answered").isFalse();
      assertThat(echo.getPayload().toStringUtf8()).isEqualTo("hi");
      // The TID it reports is a thread of the worker, named as Java named it.
      Path task = Path.of("/proc", Long.toString(w.pid()), "task", Long.toString(echo.getTid()));
      assertThat(task).isDirectory();
      assertThat(Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).trim())
          .isEqualTo(echo.getThreadName());
      assertThat(slow.get(10, TimeUnit.SECONDS).getEndNanos() - slow.get().getStartNanos())
          .isGreaterThanOrEqualTo(3_000_000_000L);

      assertRemoteError(w, "no-such-kind", ErrorCode.ERROR_CODE_UNKNOWN_TASK_KIND, "no task kind 'no-such-kind'");
      assertRemoteError(w, "fail", ErrorCode.ERROR_CODE_TASK_FAILED, "failed in the worker");
      assertRemoteError(w, "threads-share.race", ErrorCode.ERROR_CODE_BAD_TASK_PAYLOAD, "is not the message");

      // None of that hurt the worker.
      assertThat(w.connection().ping(ByteString.EMPTY).get(5, TimeUnit.SECONDS)).isNotNull();
      assertThat(w.state()).isEqualTo(WorkerState.READY);
    }
  }

  @ParameterizedTest
  @EnumSource(value = TransportKind.class, names = {"PIPE", "UDS"})
  void cancelledAndOverdueTasksAreDroppedInTheWorkerWhichStaysWarm(TransportKind transport) throws Exception {
    try (WorkerPool pool = Pools.builder(transport, 1).start()) {
      WorkerProcess w = pool.worker(1);
      long pid = w.pid();

      WorkerConnection.SubmittedTask running =
          w.connection().submitTask("sleep", ByteString.copyFromUtf8("60000"), Duration.ofSeconds(90), 1);
      awaitTasksInFlight(w, 1);
      assertThat(w.connection().cancel(running.requestId(), "the test cancels it")).isTrue();
      assertThatThrownBy(() -> running.result().get(1, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause().isInstanceOf(CancellationException.class)
          .hasMessageContaining("the test cancels it");
      // The worker interrupted the task and answered it: nothing runs there any more, and it is the same process.
      awaitTasksInFlight(w, 0);
      assertThat(w.connection().cancel(running.requestId(), "again")).as("cancelled once only").isFalse();

      // The parent's deadline passes: the caller gets a timeout and the worker is told to drop the task too.
      WorkerConnection.SubmittedTask overdue =
          w.connection().submitTask("sleep", ByteString.copyFromUtf8("60000"), Duration.ofMillis(300), 1);
      assertThatThrownBy(() -> overdue.result().get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TimeoutException.class)
          .hasMessageContaining("300 ms"); // the parent's timer or the worker's, whichever fired first
      awaitTasksInFlight(w, 0);

      assertThat(w.connection().submit("echo", ByteString.copyFromUtf8("warm"), Duration.ofSeconds(10))
          .get(10, TimeUnit.SECONDS).getPayload().toStringUtf8()).isEqualTo("warm");
      assertThat(w.pid()).isEqualTo(pid);
      // The worker counts a reply once it is written, which may be just after the parent read it.
      WorkerStatus status = awaitStatus(w, st -> st.getTasksCompleted() == 1);
      assertThat(status.getTasksFailed()).as("the two dropped tasks, answered as errors").isEqualTo(2);
    }
  }

  /** Waits until the worker itself reports {@code n} tasks in flight. */
  private static void awaitTasksInFlight(WorkerProcess w, long n) throws Exception {
    assertThat(awaitStatus(w, st -> st.getTasksInFlight() == n).getTasksInFlight())
        .as("tasks in flight in " + w.name()).isEqualTo(n);
  }

  /** The worker's status once {@code done} holds, or the last one seen after 10 s. */
  private static WorkerStatus awaitStatus(WorkerProcess w, java.util.function.Predicate<WorkerStatus> done)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    WorkerStatus seen;
    do {
      seen = w.connection().status(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
      if (done.test(seen)) {
        break;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return seen;
  }

  private static void assertRemoteError(WorkerProcess w, String kind, ErrorCode code, String message) {
    ByteString payload = kind.equals("threads-share.race") ? ByteString.copyFrom(new byte[] {(byte) 0xff})
        : ByteString.copyFromUtf8("x");
    assertThatThrownBy(() -> w.connection().submit(kind, payload, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(RemoteErrorException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((RemoteErrorException) e).code()).isEqualTo(code));
  }
}
