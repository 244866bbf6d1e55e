package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.RemoteErrorException;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.WorkerProcess;
import dev.ipclab.parent.WorkerState;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.TaskResult;
import dev.ipclab.transport.TransportKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
      CompletableFuture<TaskResult> slow = w.connection().submit("sleep", ByteString.copyFromUtf8("1500"), timeout);
      TaskResult echo = w.connection().submit("echo", ByteString.copyFromUtf8("hi"), timeout).get(5, TimeUnit.SECONDS);
      assertThat(slow).isNotDone();
      assertThat(echo.getPayload().toStringUtf8()).isEqualTo("hi");
      // The TID it reports is a thread of the worker, named as Java named it.
      Path task = Path.of("/proc", Long.toString(w.pid()), "task", Long.toString(echo.getTid()));
      assertThat(task).isDirectory();
      assertThat(Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).trim())
          .isEqualTo(echo.getThreadName());
      assertThat(slow.get(10, TimeUnit.SECONDS).getEndNanos() - slow.get().getStartNanos())
          .isGreaterThanOrEqualTo(1_500_000_000L);

      assertRemoteError(w, "no-such-kind", ErrorCode.ERROR_CODE_UNKNOWN_TASK_KIND, "no task kind 'no-such-kind'");
      assertRemoteError(w, "fail", ErrorCode.ERROR_CODE_TASK_FAILED, "failed in the worker");
      assertRemoteError(w, "threads-share.race", ErrorCode.ERROR_CODE_BAD_TASK_PAYLOAD, "is not the message");

      // None of that hurt the worker.
      assertThat(w.connection().ping(ByteString.EMPTY).get(5, TimeUnit.SECONDS)).isNotNull();
      assertThat(w.state()).isEqualTo(WorkerState.READY);
    }
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
