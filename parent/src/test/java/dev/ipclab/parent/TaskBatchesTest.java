package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.StringValue;
import dev.ipclab.proto.v1.Hello;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.TaskResult;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.frame.Frames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Batched submits over fake channels: one write per worker, input order, retries and backpressure per task. */
@Timeout(30)
class TaskBatchesTest {
  private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
  private final List<Process> processes = new ArrayList<>();
  private final List<WorkerProcess> workers = new ArrayList<>();
  private final List<FakeTransport> channels = new ArrayList<>();
  /** Request ids already answered, per worker index. */
  private final List<Set<Long>> answered = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    timer.shutdownNow();
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aBatchGoesToEachWorkerInOneWriteAndItsResultsComeBackInInputOrder() throws Exception {
    TaskRouter router = router(2, 4, 100, Backpressure.BLOCK);
    List<StringValue> inputs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      inputs.add(StringValue.of("input " + i));
    }
    CompletableFuture<List<StringValue>> results = TaskBatches.map(router, "echo", inputs, StringValue.parser());

    // 4 in flight per worker, each worker's 4 in one write; the other 12 wait in the queue.
    assertThat(channels.get(0).batches).containsExactly(4);
    assertThat(channels.get(1).batches).containsExactly(4);
    assertThat(router.stats(0).queued()).isEqualTo(12);
    answerEverything(true);

    assertThat(results.get(10, TimeUnit.SECONDS)).containsExactlyElementsOf(inputs);
    assertThat(router.stats(0).completed()).isEqualTo(20);
    assertThat(router.stats(0).inFlight()).isZero();
  }

  @Test
  void theTasksOfAWorkerThatDiesMidBatchAreRetriedElsewhereAndEachHasOneOutcome() throws Exception {
    TaskRouter router = router(2, 4, 100, Backpressure.BLOCK);
    List<TaskSpec> specs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      specs.add(TaskSpec.of("echo", ByteString.copyFromUtf8("task " + i)));
    }
    List<TaskHandle> handles = TaskBatches.submitAll(router, specs);
    assertThat(handles).extracting(TaskHandle::id).isSorted().doesNotHaveDuplicates();

    // Worker 1 dies with its 4 tasks in flight: they go back to the front of the queue, for worker 2.
    workers.get(0).connection().failAll(new WorkerFailedException("worker-1 is gone: exit 137 (SIGKILL)"));
    answerEverything(false);

    for (int i = 0; i < handles.size(); i++) {
      TaskOutcome outcome = handles.get(i).outcome().get(10, TimeUnit.SECONDS);
      assertThat(outcome.result().getPayload().toStringUtf8()).isEqualTo("task " + i);
      assertThat(outcome.workerId()).isEqualTo(2);
    }
    assertThat(handles.stream().filter(h -> h.outcome().join().attempts() == 2)).hasSize(4);
    PoolStats stats = router.stats(0);
    assertThat(stats.completed()).isEqualTo(12);
    assertThat(stats.retried()).isEqualTo(4);
    assertThat(stats.failed() + stats.cancelled()).isZero();
  }

  @Test
  void aFullQueueWithFailBackpressureCancelsWhatTheBatchSubmittedAndThrows() throws Exception {
    TaskRouter router = router(1, 2, 3, Backpressure.FAIL);
    List<TaskSpec> specs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      specs.add(TaskSpec.of("echo", ByteString.copyFromUtf8("task " + i)));
    }
    assertThatThrownBy(() -> TaskBatches.submitAll(router, specs)).isInstanceOf(PoolSaturatedException.class)
        .hasMessageContaining("the 5 submitted were cancelled");
    PoolStats stats = router.stats(0);
    assertThat(stats.cancelled()).isEqualTo(5);
    assertThat(stats.queued()).isZero();
  }

  @Test
  void cancellingAMapCancelsItsTasks() throws Exception {
    TaskRouter router = router(1, 2, 100, Backpressure.BLOCK);
    CompletableFuture<List<StringValue>> results = TaskBatches.map(router, "echo",
        List.of(StringValue.of("a"), StringValue.of("b"), StringValue.of("c")), StringValue.parser());
    results.cancel(true);
    assertThatThrownBy(results::join).isInstanceOf(CancellationException.class);
    assertThat(router.stats(0).cancelled()).isEqualTo(3);
    assertThat(router.stats(0).inFlight() + router.stats(0).queued()).isZero();
  }

  /** Answers every task sent, echoing its payload, until none is left; worker 1 too unless it died. */
  private void answerEverything(boolean workerOneToo) {
    boolean any = true;
    while (any) {
      any = false;
      for (int w = workerOneToo ? 0 : 1; w < workers.size(); w++) {
        for (ParentEnvelope sent : List.copyOf(channels.get(w).sent)) {
          if (sent.hasTask() && answered.get(w).add(sent.getRequestId())) {
            any = true;
            workers.get(w).connection().onMessage(WorkerEnvelope.newBuilder()
                .setRequestId(sent.getRequestId())
                .setTaskResult(TaskResult.newBuilder().setPayload(sent.getTask().getPayload()))
                .build());
          }
        }
      }
    }
  }

  @Test
  void aWorkerThatReadsBatchesGetsItsShareInOneTaskBatchFrameAndTheRefillsInBatchesToo() throws Exception {
    batchWorkers = true;
    TaskRouter router = router(2, 4, 100, Backpressure.BLOCK);
    List<StringValue> inputs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      inputs.add(StringValue.of("input " + i));
    }
    CompletableFuture<List<StringValue>> results = TaskBatches.map(router, "echo", inputs, StringValue.parser());

    for (FakeTransport channel : channels) {
      assertThat(taskFrames(channel)).hasSize(1);
      assertThat(taskFrames(channel).getFirst().getRequestId()).as("a batch frame is one-way").isZero();
      assertThat(taskFrames(channel).getFirst().getTaskBatch().getTasksList()).hasSize(4)
          .extracting(t -> t.getRequestId()).doesNotHaveDuplicates().allMatch(id -> id > 0);
    }
    answerEverythingInBatches(-1);

    assertThat(results.get(10, TimeUnit.SECONDS)).containsExactlyElementsOf(inputs);
    for (FakeTransport channel : channels) {
      // Each burst of 4 answers freed the room for 4, sent on in one frame: never a task on its own.
      assertThat(taskFrames(channel)).allMatch(ParentEnvelope::hasTaskBatch)
          .allMatch(frame -> frame.getTaskBatch().getTasksCount() == 4);
    }
  }

  @Test
  void aBatchWorkerThatDiesMidBatchHasOnlyItsUnansweredTasksRetriedEachWithOneOutcome() throws Exception {
    batchWorkers = true;
    TaskRouter router = router(2, 4, 100, Backpressure.BLOCK);
    List<TaskSpec> specs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      specs.add(TaskSpec.of("echo", ByteString.copyFromUtf8("task " + i)));
    }
    List<TaskHandle> handles = TaskBatches.submitAll(router, specs);

    // Worker 1 answers 1 of its batch of 4, fails 1, then dies: only the 2 without an answer go again.
    List<dev.ipclab.proto.v1.BatchedTask> first = taskFrames(channels.get(0)).getFirst().getTaskBatch().getTasksList();
    workers.get(0).connection().onMessage(WorkerEnvelope.newBuilder()
        .setTaskResultBatch(dev.ipclab.proto.v1.TaskResultBatch.newBuilder()
            .addAnswers(dev.ipclab.proto.v1.TaskAnswer.newBuilder().setRequestId(first.get(0).getRequestId())
                .setResult(TaskResult.newBuilder().setPayload(first.get(0).getTask().getPayload())))
            .addAnswers(dev.ipclab.proto.v1.TaskAnswer.newBuilder().setRequestId(first.get(1).getRequestId())
                .setError(dev.ipclab.proto.v1.ErrorReply.newBuilder()
                    .setCode(dev.ipclab.proto.v1.ErrorCode.ERROR_CODE_TASK_FAILED).setMessage("boom"))))
        .build());
    workers.get(0).connection().failAll(new WorkerFailedException("worker-1 is gone: exit 137 (SIGKILL)"));
    answerEverythingInBatches(1);

    String answered = first.get(0).getTask().getPayload().toStringUtf8();
    String failed = first.get(1).getTask().getPayload().toStringUtf8();
    for (int i = 0; i < handles.size(); i++) {
      CompletableFuture<TaskOutcome> outcome = handles.get(i).outcome();
      if (("task " + i).equals(failed)) {
        assertThatThrownBy(() -> outcome.get(10, TimeUnit.SECONDS)).hasMessageContaining("boom");
      } else {
        assertThat(outcome.get(10, TimeUnit.SECONDS).result().getPayload().toStringUtf8()).isEqualTo("task " + i);
        if (("task " + i).equals(answered)) {
          assertThat(outcome.join().attempts()).isEqualTo(1);
        }
      }
    }
    PoolStats stats = router.stats(0);
    assertThat(stats.completed()).isEqualTo(7);
    assertThat(stats.failed()).isEqualTo(1);
    assertThat(stats.retried()).isEqualTo(2);
    assertThat(stats.inFlight() + stats.queued()).isZero();
  }

  @Test
  void cancellingABatchedTaskNamesItsOwnRequestIdToTheWorker() throws Exception {
    batchWorkers = true;
    TaskRouter router = router(1, 4, 100, Backpressure.BLOCK);
    List<TaskHandle> handles = TaskBatches.submitAll(router, List.of(TaskSpec.of("echo", ByteString.EMPTY),
        TaskSpec.of("echo", ByteString.EMPTY)));
    long second = taskFrames(channels.get(0)).getFirst().getTaskBatch().getTasks(1).getRequestId();

    assertThat(handles.get(1).cancel("not needed")).isTrue();

    assertThat(channels.get(0).sent).filteredOn(ParentEnvelope::hasCancel).singleElement()
        .satisfies(cancel -> assertThat(cancel.getCancel().getTaskRequestId()).isEqualTo(second));
    assertThat(handles.get(0).outcome()).isNotDone();
  }

  @Test
  void aBatchsTasksThatWaitInTheQueuePastTheirDeadlineFailOneByOneAndTheOthersRun() throws Exception {
    batchWorkers = true;
    TaskRouter router = router(1, 2, 100, Backpressure.BLOCK);
    List<TaskSpec> specs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      // The first 2 go to the worker, which keeps them; the other 3 wait behind them with a short deadline.
      specs.add(TaskSpec.of("echo", ByteString.copyFromUtf8("task " + i))
          .withDeadline(i < 2 ? Duration.ofSeconds(30) : Duration.ofMillis(50)));
    }
    List<TaskHandle> handles = TaskBatches.submitAll(router, specs);

    // The 3 queued fail at their deadline, each with its own outcome; the 2 on the worker are untouched.
    for (TaskHandle queued : handles.subList(2, 5)) {
      assertThatThrownBy(() -> queued.outcome().get(10, TimeUnit.SECONDS))
          .hasMessageContaining("passed while it waited for a worker");
    }
    assertThat(router.stats(0).queued()).isZero();
    assertThat(router.stats(0).failed()).isEqualTo(3);
    assertThat(handles.subList(0, 2)).allMatch(h -> !h.outcome().isDone());
  }

  @Test
  void aBatchsQueuedTasksShareOneDeadlineTimerInsteadOfOneEach() throws Exception {
    batchWorkers = true;
    TaskRouter router = router(1, 2, 100, Backpressure.BLOCK);
    List<TaskSpec> specs = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      specs.add(TaskSpec.of("echo", ByteString.copyFromUtf8("task " + i)).withDeadline(Duration.ofSeconds(30)));
    }
    int timersBefore = timer.getQueue().size();
    TaskBatches.submitAll(router, specs);

    // 2 on the worker in one batch frame, 48 queued: one timer for the frame's deadlines, one for the queue's.
    assertThat(router.stats(0).queued()).isEqualTo(48);
    assertThat(timer.getQueue().size() - timersBefore).isLessThanOrEqualTo(2);
  }

  @Test
  void aWorkerThatDidNotAnnounceBatchesGetsOnlySingleTaskFrames() throws Exception {
    TaskRouter router = router(1, 4, 100, Backpressure.BLOCK);
    TaskBatches.submitAll(router, List.of(TaskSpec.of("echo", ByteString.EMPTY), TaskSpec.of("echo",
        ByteString.EMPTY), TaskSpec.of("echo", ByteString.EMPTY)));
    assertThat(taskFrames(channels.get(0))).hasSize(3).allMatch(ParentEnvelope::hasTask);
  }

  /**
   * Answers every task sent as a worker that reads batches would, one TaskResultBatch per frame received,
   * echoing the payloads, until none is left; all workers but the one with id {@code dead} (or -1 for none).
   */
  private void answerEverythingInBatches(int dead) {
    boolean any = true;
    while (any) {
      any = false;
      for (int w = 0; w < workers.size(); w++) {
        if (w == dead - 1) {
          continue;
        }
        for (ParentEnvelope sent : List.copyOf(channels.get(w).sent)) {
          if (!sent.hasTaskBatch()) {
            continue;
          }
          var answers = dev.ipclab.proto.v1.TaskResultBatch.newBuilder();
          for (var t : sent.getTaskBatch().getTasksList()) {
            if (answered.get(w).add(t.getRequestId())) {
              answers.addAnswers(dev.ipclab.proto.v1.TaskAnswer.newBuilder().setRequestId(t.getRequestId())
                  .setResult(TaskResult.newBuilder().setPayload(t.getTask().getPayload())));
            }
          }
          if (answers.getAnswersCount() > 0) {
            any = true;
            workers.get(w).connection().onMessage(WorkerEnvelope.newBuilder().setTaskResultBatch(answers).build());
          }
        }
      }
    }
  }

  /** The frames that carry tasks, single or batched, that the parent sent on {@code channel}. */
  private static List<ParentEnvelope> taskFrames(FakeTransport channel) {
    return channel.sent.stream().filter(f -> f.hasTask() || f.hasTaskBatch()).toList();
  }

  /** Whether the fake workers' hellos say they read TaskBatch frames. */
  private boolean batchWorkers;

  private TaskRouter router(int workerCount, int maxInFlight, int queueCapacity, Backpressure backpressure)
      throws Exception {
    TaskRouter.Limits limits = new TaskRouter.Limits(maxInFlight, 3, queueCapacity, backpressure, 0, 0);
    PoolSettings settings = new PoolSettings(workerCount, TransportKind.PIPE, IdleStrategy.BLOCK,
        Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(1), Frames.DEFAULT_MAX_FRAME_BYTES, null, List.of(), Map.of(), false, limits, 10,
        Duration.ofSeconds(60), Duration.ofMillis(100), Duration.ofSeconds(5), new PoolListener() {},
        WorkerLaunch.DEFAULT, false, false, 0);
    List<WorkerSlot> slots = new ArrayList<>();
    for (int id = 1; id <= workerCount; id++) {
      slots.add(new WorkerSlot(id));
    }
    TaskRouter router = new TaskRouter(limits, slots, timer, settings.listener(), (s, w) -> {});
    for (WorkerSlot slot : slots) {
      Process process = new ProcessBuilder("sleep", "60").start(); // a process for the worker to own
      processes.add(process);
      WorkerProcess worker = new WorkerProcess(slot.id, "token", settings, null, timer, process, System.nanoTime(),
          null);
      FakeTransport channel = new FakeTransport();
      worker.bind(Hello.newBuilder().setAcceptsTaskBatches(batchWorkers).build(), channel);
      router.fill(slot, worker);
      workers.add(worker);
      channels.add(channel);
      answered.add(new HashSet<>());
    }
    return router;
  }
}
