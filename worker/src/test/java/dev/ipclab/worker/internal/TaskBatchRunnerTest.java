package dev.ipclab.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ipclab.proto.v1.BatchedTask;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.Task;
import dev.ipclab.proto.v1.TaskAnswer;
import dev.ipclab.proto.v1.TaskBatch;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.worker.TaskHandler;
import dev.ipclab.worker.task.BuiltInTasks;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A TaskBatch in the worker: short tasks answered in batch frames, the rest on task threads, one answer each. */
@Timeout(30)
class TaskBatchRunnerTest {
  private final LinkedBlockingQueue<WorkerEnvelope> replies = new LinkedBlockingQueue<>();

  @Test
  void shortTasksRunHereAndTheirAnswersComeInOneBatchFrame() {
    try (TaskRunner runner = new TaskRunner(builtIns(), replies::add)) {
      TaskBatch batch = batch(Map.of(11L, echo("a"), 12L, echo("b"), 13L, task("no-such-kind", "c")));
      new TaskBatchRunner(runner, replies::add).run(batch);

      // Answered before run returns: no task thread was involved.
      assertThat(replies).hasSize(1);
      WorkerEnvelope frame = replies.poll();
      assertThat(frame.getRequestId()).as("a batch frame is one-way").isZero();
      Map<Long, TaskAnswer> answers = byId(frame.getTaskResultBatch().getAnswersList());
      assertThat(answers).containsOnlyKeys(11L, 12L, 13L);
      assertThat(answers.get(11L).getResult().getPayload().toStringUtf8()).isEqualTo("a");
      assertThat(answers.get(12L).getResult().getThreadName()).isEqualTo(Thread.currentThread().getName());
      assertThat(answers.get(13L).getError().getCode()).isEqualTo(ErrorCode.ERROR_CODE_UNKNOWN_TASK_KIND);
    }
  }

  @Test
  void aTaskThatIsNotShortGoesToATaskThreadAndIsAnsweredOnItsOwn() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    TaskRegistry registry = builtIns().register("slow", payload -> {
      release.await();
      return payload;
    });
    try (TaskRunner runner = new TaskRunner(registry, replies::add)) {
      new TaskBatchRunner(runner, replies::add).run(batch(Map.of(1L, task("slow", "s"), 2L, echo("e"))));

      // The short task's answer does not wait for the slow one, which holds a task thread, not the caller.
      WorkerEnvelope first = replies.poll(10, TimeUnit.SECONDS);
      assertThat(byId(first.getTaskResultBatch().getAnswersList())).containsOnlyKeys(2L);
      release.countDown();
      WorkerEnvelope slow = replies.poll(10, TimeUnit.SECONDS);
      assertThat(slow.getRequestId()).isEqualTo(1);
      assertThat(slow.getTaskResult().getThreadName()).startsWith("ipclab-task-");
      assertThat(replies.poll(200, TimeUnit.MILLISECONDS)).as("no second answer").isNull();
    }
  }

  @Test
  void answersAreSentInChunksAsTheyFillAndEachTaskIsAnsweredOnce() {
    byte[] kib = new byte[1024];
    Map<Long, Task> tasks = new HashMap<>();
    for (long id = 1; id <= 200; id++) {
      tasks.put(id, Task.newBuilder().setKind("echo").setPayload(ByteString.copyFrom(kib)).build());
    }
    try (TaskRunner runner = new TaskRunner(builtIns(), replies::add)) {
      new TaskBatchRunner(runner, replies::add).run(batch(tasks));

      List<TaskAnswer> all = new ArrayList<>();
      for (WorkerEnvelope frame : replies) {
        assertThat(frame.getSerializedSize()).isLessThanOrEqualTo(TaskBatchRunner.CHUNK_BYTES + 64);
        all.addAll(frame.getTaskResultBatch().getAnswersList());
      }
      assertThat(replies.size()).as("200 KiB of answers in frames of 64 KiB").isGreaterThanOrEqualTo(4);
      assertThat(all).extracting(TaskAnswer::getRequestId).doesNotHaveDuplicates().hasSize(200);
    }
  }

  @Test
  void aShortTaskWhoseDeadlinePassedWhileItsBatchRanIsAnsweredDeadlineExceededUnrun() {
    TaskRegistry registry = builtIns().register("stall", TaskHandler.inline(payload -> {
      Thread.sleep(20); // a short task that was not so short: the next one's 1 ms deadline passes meanwhile
      return payload;
    }));
    try (TaskRunner runner = new TaskRunner(registry, replies::add)) {
      Task late = Task.newBuilder().setKind("echo").setDeadlineMs(1).build();
      new TaskBatchRunner(runner, replies::add).run(TaskBatch.newBuilder()
          .addTasks(BatchedTask.newBuilder().setRequestId(1).setTask(task("stall", "x")))
          .addTasks(BatchedTask.newBuilder().setRequestId(2).setTask(late))
          .build());

      Map<Long, TaskAnswer> answers = byId(replies.poll().getTaskResultBatch().getAnswersList());
      assertThat(answers.get(1L).hasResult()).isTrue();
      assertThat(answers.get(2L).getError().getCode()).isEqualTo(ErrorCode.ERROR_CODE_DEADLINE_EXCEEDED);
    }
  }

  private static Map<Long, TaskAnswer> byId(List<TaskAnswer> answers) {
    Map<Long, TaskAnswer> byId = new HashMap<>();
    for (TaskAnswer a : answers) {
      assertThat(byId.put(a.getRequestId(), a)).as("one answer for task " + a.getRequestId()).isNull();
    }
    return byId;
  }

  private static TaskBatch batch(Map<Long, Task> tasks) {
    TaskBatch.Builder batch = TaskBatch.newBuilder();
    tasks.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
        batch.addTasks(BatchedTask.newBuilder().setRequestId(e.getKey()).setTask(e.getValue())));
    return batch.build();
  }

  private static Task echo(String text) {
    return task("echo", text);
  }

  private static Task task(String kind, String text) {
    return Task.newBuilder().setKind(kind).setPayload(ByteString.copyFromUtf8(text)).build();
  }

  private static TaskRegistry builtIns() {
    return TaskModules.start(List.of(new BuiltInTasks()), 1, null).registry();
  }
}
