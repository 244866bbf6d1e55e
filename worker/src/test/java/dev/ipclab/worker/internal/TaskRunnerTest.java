package dev.ipclab.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.Task;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.worker.TaskHandler;
import dev.ipclab.worker.task.BuiltInTasks;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TaskRunnerTest {
  private final LinkedBlockingQueue<WorkerEnvelope> replies = new LinkedBlockingQueue<>();

  private WorkerEnvelope next() throws InterruptedException {
    WorkerEnvelope reply = replies.poll(10, TimeUnit.SECONDS);
    assertThat(reply).as("a reply within 10 s").isNotNull();
    return reply;
  }

  private static Task task(String kind, ByteString payload) {
    return Task.newBuilder().setKind(kind).setPayload(payload).build();
  }

  @Test
  void aTaskRunsOnATaskThreadAndItsResultSaysWhereAndWhen() throws Exception {
    try (TaskRunner runner = new TaskRunner(builtIns().register("copy", payload -> payload), replies::add)) {
      runner.submit(7, task("copy", ByteString.copyFromUtf8("hi")));
      WorkerEnvelope reply = next();
      assertThat(reply.getRequestId()).isEqualTo(7);
      assertThat(reply.getTaskResult().getPayload().toStringUtf8()).isEqualTo("hi");
      assertThat(reply.getTaskResult().getThreadName()).startsWith("ipclab-task-");
      assertThat(reply.getTaskResult().getTid()).isPositive();
      assertThat(reply.getTaskResult().getEndNanos()).isGreaterThanOrEqualTo(reply.getTaskResult().getStartNanos());
    }
  }

  @Test
  void anInlineTaskRunsOnTheCallingThreadAndIsAnsweredBeforeSubmitReturns() throws Exception {
    TaskRegistry registry = builtIns()
        .register("inline-fail", TaskHandler.inline(payload -> {
          throw new IllegalStateException("inline failure");
        }));
    try (TaskRunner runner = new TaskRunner(registry, replies::add)) {
      runner.submit(3, task("echo", ByteString.copyFromUtf8("hi")));
      WorkerEnvelope reply = replies.poll(); // no wait: answered on this thread, within submit
      assertThat(reply).isNotNull();
      assertThat(reply.getRequestId()).isEqualTo(3);
      assertThat(reply.getTaskResult().getPayload().toStringUtf8()).isEqualTo("hi");
      assertThat(reply.getTaskResult().getThreadName()).isEqualTo(Thread.currentThread().getName());
      assertThat(runner.running()).isZero();

      runner.submit(4, task("inline-fail", ByteString.EMPTY));
      WorkerEnvelope failed = replies.poll();
      assertThat(failed.getError().getCode()).isEqualTo(ErrorCode.ERROR_CODE_TASK_FAILED);
      assertThat(failed.getError().getMessage()).contains("inline failure");
      runner.cancel(4, "too late: it was answered"); // no second answer
      assertThat(replies).isEmpty();
    }
  }

  @Test
  void aSlowTaskDoesNotHoldUpAQuickOne() throws Exception {
    try (TaskRunner runner = new TaskRunner(builtIns(), replies::add)) {
      runner.submit(1, task("sleep", BuiltInTasks.sleepPayload(2_000)));
      runner.submit(2, task("echo", ByteString.EMPTY));
      assertThat(next().getRequestId()).isEqualTo(2);
      assertThat(next().getRequestId()).isEqualTo(1);
    }
  }

  @Test
  void unknownKindsFailuresAndBadPayloadsGetOneErrorEach() throws Exception {
    TaskRegistry registry = builtIns()
        .register("typed", TaskHandler.typed(Task.parser(), t -> t));
    try (TaskRunner runner = new TaskRunner(registry, replies::add)) {
      runner.submit(1, task("no-such-kind", ByteString.EMPTY));
      WorkerEnvelope unknown = next();
      assertThat(unknown.getError().getCode()).isEqualTo(ErrorCode.ERROR_CODE_UNKNOWN_TASK_KIND);
      assertThat(unknown.getError().getMessage()).contains("no-such-kind", "echo", "typed");

      runner.submit(2, task("fail", ByteString.copyFromUtf8("boom")));
      WorkerEnvelope failed = next();
      assertThat(failed.getRequestId()).isEqualTo(2);
      assertThat(failed.getError().getCode()).isEqualTo(ErrorCode.ERROR_CODE_TASK_FAILED);
      assertThat(failed.getError().getMessage()).contains("boom", "IllegalStateException");

      runner.submit(3, task("typed", ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff})));
      WorkerEnvelope bad = next();
      assertThat(bad.getError().getCode()).isEqualTo(ErrorCode.ERROR_CODE_BAD_TASK_PAYLOAD);
      assertThat(bad.getError().getMessage()).contains("2 bytes");
      assertThat(replies).isEmpty();
    }
  }

  @Test
  void aKindIsRegisteredOnce() {
    TaskRegistry registry = new TaskRegistry().register("a", p -> p);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> registry.register("a", p -> p))
        .hasMessageContaining("registered twice");
  }

  @Test
  void aCancelledTaskIsInterruptedAndAnsweredOnceWithCancelled() throws Exception {
    try (TaskRunner runner = new TaskRunner(builtIns(), replies::add)) {
      runner.submit(5, task("sleep", BuiltInTasks.sleepPayload(60_000)));
      runner.submit(6, task("echo", ByteString.EMPTY));
      assertThat(next().getRequestId()).isEqualTo(6); // task 5 is surely running by now
      runner.cancel(5, "the caller changed its mind");
      WorkerEnvelope cancelled = next();
      assertThat(cancelled.getRequestId()).isEqualTo(5);
      assertThat(cancelled.getError().getCode()).isEqualTo(ErrorCode.ERROR_CODE_CANCELLED);
      assertThat(cancelled.getError().getMessage()).contains("changed its mind");
      runner.cancel(5, "again"); // answered already: ignored
      assertThat(replies.poll(300, TimeUnit.MILLISECONDS)).as("no second answer").isNull();
      assertThat(runner.running()).isZero();
    }
  }

  @Test
  void aTaskPastItsDeadlineIsInterruptedAndAnsweredDeadlineExceeded() throws Exception {
    try (TaskRunner runner = new TaskRunner(builtIns(), replies::add)) {
      long start = System.nanoTime();
      runner.submit(9, task("sleep", BuiltInTasks.sleepPayload(60_000)).toBuilder().setDeadlineMs(200).build());
      WorkerEnvelope overdue = next();
      assertThat(overdue.getError().getCode()).isEqualTo(ErrorCode.ERROR_CODE_DEADLINE_EXCEEDED);
      assertThat(overdue.getError().getMessage()).contains("200 ms");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(150L, 10_000L);
      assertThat(replies.poll(300, TimeUnit.MILLISECONDS)).as("no second answer").isNull();
    }
  }

  @Test
  void aTaskWithinItsDeadlineGetsItsResult() throws Exception {
    try (TaskRunner runner = new TaskRunner(builtIns(), replies::add)) {
      runner.submit(3, task("echo", ByteString.copyFromUtf8("x")).toBuilder().setDeadlineMs(5_000).build());
      assertThat(next().hasTaskResult()).isTrue();
      assertThat(replies.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  @Test
  void tasksBeyondTheLimitAreRefusedAsOverloaded() throws Exception {
    try (TaskRunner runner = new TaskRunner(builtIns(), replies::add, 2)) {
      runner.submit(1, task("sleep", BuiltInTasks.sleepPayload(60_000)));
      runner.submit(2, task("sleep", BuiltInTasks.sleepPayload(60_000)));
      runner.submit(3, task("sleep", BuiltInTasks.sleepPayload(0))); // not echo: inline tasks take no thread
      WorkerEnvelope refused = next();
      assertThat(refused.getRequestId()).isEqualTo(3);
      assertThat(refused.getError().getCode()).isEqualTo(ErrorCode.ERROR_CODE_OVERLOADED);
      assertThat(refused.getError().getMessage()).contains("limit is 2");
    }
  }

  private static TaskRegistry builtIns() {
    return TaskModules.start(java.util.List.of(new BuiltInTasks()), 1, null).registry();
  }
}
