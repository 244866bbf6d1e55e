package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The router against fake workers: retries, deadlines, cancels and backpressure, each with one outcome. */
@Timeout(30)
class TaskRouterTest {
  private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
  private final List<String> retries = new CopyOnWriteArrayList<>();
  private final PoolListener listener = new PoolListener() {
    @Override
    public void taskRetried(long taskId, int attempt, String cause) {
      retries.add("task " + taskId + " attempt " + attempt);
    }
  };
  @TempDir
  Path logs;
  private FakeWorkers fakes;
  private TaskRouter router;

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  /** A router over {@code workers} fake workers, READY, one task in flight each, {@code maxAttempts} runs. */
  private void start(int workers, int maxAttempts) throws Exception {
    PoolSettings settings = FakeWorkers.settings(workers, maxAttempts, 10, listener);
    fakes = new FakeWorkers(settings, timer);
    List<WorkerSlot> slots = new ArrayList<>();
    for (int id = 1; id <= workers; id++) {
      slots.add(new WorkerSlot(id));
    }
    router = new TaskRouter(settings.limits(), List.copyOf(slots), timer, listener, (slot, worker) -> {});
    for (WorkerSlot slot : slots) {
      router.fill(slot, fakes.create(slot.id, logs.resolve("worker-" + slot.id + ".log"), null));
    }
  }

  @Test
  void aTaskWhoseWorkerDiesRunsAgainElsewhereAndHasOneOutcome() throws Exception {
    start(2, 2);
    TaskHandle task = router.submit(TaskSpec.of("echo", ByteString.EMPTY));
    assertThat(fakes.last(1).tasksSent()).as("the first attempt goes to the least busy worker, 1").isEqualTo(1);

    fakes.last(1).os().exit(FakeProcess.KILLED); // worker-1 dies with the task on it
    assertThat(fakes.last(2).tasksSent()).as("the retry goes to worker-2").isEqualTo(1);
    fakes.last(2).answer(0, "done");

    TaskOutcome outcome = task.outcome().get(10, TimeUnit.SECONDS);
    assertThat(outcome.attempts()).isEqualTo(2);
    assertThat(outcome.workerId()).isEqualTo(2);
    assertThat(outcome.result().getPayload().toStringUtf8()).isEqualTo("done");
    assertThat(retries).containsExactly("task 1 attempt 2");
    PoolStats stats = router.stats(0);
    assertThat(stats.completed()).isEqualTo(1);
    assertThat(stats.failed()).isZero();
    assertThat(stats.retried()).isEqualTo(1);
    assertThat(stats.inFlight()).isZero();
  }

  @Test
  void aTaskThatUsedItsAttemptsFailsWithTheExit() throws Exception {
    start(2, 1);
    TaskHandle task = router.submit(TaskSpec.of("echo", ByteString.EMPTY));

    fakes.last(1).os().exit(FakeProcess.KILLED);

    Throwable failure = task.outcome().handle((o, e) -> e).get(10, TimeUnit.SECONDS);
    assertThat(failure).isInstanceOf(TaskFailedException.class).hasMessageContaining("137");
    assertThat(((TaskFailedException) failure).attempts()).isEqualTo(1);
    assertThat(fakes.last(2).tasksSent()).as("no retry").isZero();
    assertThat(router.stats(0).failed()).isEqualTo(1);
  }

  @Test
  void aQueuedTaskFailsAtItsDeadline() throws Exception {
    start(1, 1);
    router.submit(TaskSpec.of("echo", ByteString.EMPTY)); // takes the only worker's room
    TaskHandle queued = router.submit(TaskSpec.of("echo", ByteString.EMPTY).withDeadline(Duration.ofMillis(1)));

    Throwable failure = queued.outcome().handle((o, e) -> e).get(10, TimeUnit.SECONDS);

    assertThat(failure).isInstanceOf(TaskFailedException.class)
        .hasMessageContaining("deadline of 1 ms passed while it waited for a worker");
    assertThat(router.stats(0).queued()).isZero();
    fakes.last(1).answer(0, "first");
    assertThat(fakes.last(1).tasksSent()).as("the expired task is never sent").isEqualTo(1);
  }

  @Test
  void aTaskInFlightFailsAtItsDeadlineWithoutARetry() throws Exception {
    start(2, 3);
    TaskHandle task = router.submit(TaskSpec.of("echo", ByteString.EMPTY).withDeadline(Duration.ofMillis(1)));

    Throwable failure = task.outcome().handle((o, e) -> e).get(10, TimeUnit.SECONDS);

    assertThat(failure).isInstanceOf(TaskFailedException.class);
    assertThat(retries).isEmpty();
    assertThat(fakes.last(2).tasksSent()).isZero();
  }

  @Test
  void cancellingAQueuedTaskTakesItOffTheQueue() throws Exception {
    start(1, 1);
    router.submit(TaskSpec.of("echo", ByteString.EMPTY));
    TaskHandle queued = router.submit(TaskSpec.of("echo", ByteString.EMPTY));

    assertThat(queued.cancel("changed my mind")).isTrue();

    assertThatThrownBy(queued::await).isInstanceOf(CancellationException.class)
        .hasMessageContaining("cancelled while queued: changed my mind");
    assertThat(router.stats(0).queued()).isZero();
    assertThat(queued.cancel("again")).as("a second cancel").isFalse();
    fakes.last(1).answer(0, "first");
    assertThat(fakes.last(1).tasksSent()).as("the cancelled task is never sent").isEqualTo(1);
  }

  @Test
  void cancellingATaskInFlightTellsTheWorkerAndALateAnswerChangesNothing() throws Exception {
    start(1, 1);
    TaskHandle task = router.submit(TaskSpec.of("echo", ByteString.EMPTY));

    assertThat(task.cancel("changed my mind")).isTrue();
    assertThat(fakes.last(1).channel().sent).filteredOn(e -> e.hasCancel()).singleElement()
        .satisfies(e -> assertThat(e.getCancel().getTaskRequestId()).isEqualTo(fakes.last(1).taskRequestId(0)));
    fakes.last(1).answer(0, "too late");

    assertThat(task.outcome().isCancelled()).isTrue();
    PoolStats stats = router.stats(0);
    assertThat(stats.cancelled()).isEqualTo(1);
    assertThat(stats.completed()).isZero();
    assertThat(stats.inFlight()).isZero();
  }

  @Test
  void aFullQueueRefusesASubmitWithFailBackpressure() throws Exception {
    start(1, 1);
    router.submit(TaskSpec.of("echo", ByteString.EMPTY));
    for (int i = 0; i < 10; i++) { // the queue's capacity
      router.submit(TaskSpec.of("echo", ByteString.EMPTY));
    }

    assertThatThrownBy(() -> router.submit(TaskSpec.of("echo", ByteString.EMPTY)))
        .isInstanceOf(PoolSaturatedException.class).hasMessageContaining("10 tasks queued (capacity 10)");
    assertThat(router.stats(0).submitted()).isEqualTo(11);
  }
}
