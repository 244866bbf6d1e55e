package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.Backpressure;
import dev.ipclab.parent.PoolSaturatedException;
import dev.ipclab.parent.TaskFailedException;
import dev.ipclab.parent.TaskHandle;
import dev.ipclab.parent.TaskOutcome;
import dev.ipclab.parent.TaskSpec;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.worker.task.BuiltInTasks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The pool's bounded queue, deadlines and cancellation with a real worker: a full queue fails or blocks the
 * submit, a cancelled or overdue task ends once and the warm worker stays.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QueueAndCancelIT {
  @Test
  void fullQueueFailsTheSubmitWithFailBackpressure() throws Exception {
    try (WorkerPool pool = Pools.builder(TransportKind.UDS, 1).maxInFlightPerWorker(1)
        .queue(4, Backpressure.FAIL).start()) {
      List<TaskHandle> accepted = new ArrayList<>();
      // One in flight, four queued: the pool holds five.
      for (int i = 0; i < 5; i++) {
        accepted.add(pool.submit(TaskSpec.of("sleep", BuiltInTasks.sleepPayload(5_000))));
      }
      assertThatThrownBy(() -> pool.submit(TaskSpec.of("echo", ByteString.EMPTY)))
          .isInstanceOf(PoolSaturatedException.class)
          .hasMessageContaining("4 tasks queued (capacity 4) and 1 in flight");
      assertThatThrownBy(() -> pool.submit(TaskSpec.of("echo", ByteString.EMPTY)))
          .isInstanceOf(PoolSaturatedException.class);
      assertThat(pool.stats().queued()).isEqualTo(4);
      assertThat(pool.stats().inFlight()).isEqualTo(1);
      assertThat(pool.stats().submitted()).isEqualTo(5);

      pool.close();
      Set<Integer> seen = new TreeSet<>();
      for (TaskHandle h : accepted) {
        assertThatThrownBy(() -> h.outcome().get(5, TimeUnit.SECONDS)).cause()
            .isInstanceOf(TaskFailedException.class).hasMessageContaining("pool closed");
        seen.add((int) h.id());
      }
      assertThat(seen).containsExactly(1, 2, 3, 4, 5);
      assertThat(pool.stats().failed()).isEqualTo(5);
      assertThatThrownBy(() -> pool.submit(TaskSpec.of("echo", ByteString.EMPTY)))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
  }

  @Test
  void fullQueueBlocksTheSubmitUntilATaskCompletes() throws Exception {
    try (WorkerPool pool = Pools.builder(TransportKind.UDS, 1).maxInFlightPerWorker(1)
        .queue(1, Backpressure.BLOCK).start()) {
      long firstSubmitted = System.nanoTime();
      TaskHandle first = pool.submit(TaskSpec.of("sleep", BuiltInTasks.sleepPayload(3_000)));
      TaskHandle second = pool.submit(TaskSpec.of("sleep", BuiltInTasks.sleepPayload(10)));
      AtomicLong returnedNanos = new AtomicLong();
      CompletableFuture<Boolean> firstDoneWhenReturned = new CompletableFuture<>();
      CompletableFuture<TaskHandle> third = new CompletableFuture<>();
      Thread submitter = Thread.ofVirtual().start(() -> {
        try {
          TaskHandle h = pool.submit(TaskSpec.of("echo", ByteString.copyFromUtf8("third")));
          returnedNanos.set(System.nanoTime());
          firstDoneWhenReturned.complete(first.outcome().isDone());
          third.complete(h);
        } catch (Throwable e) {
          third.completeExceptionally(e);
        }
      });
      // Until the submitter parks (waiting for room) or returns; not a fixed sleep, which a loaded machine outlasts.
      Os.within(10_000, () -> third.isDone() || submitter.getState() == Thread.State.WAITING
          || submitter.getState() == Thread.State.TIMED_WAITING);
      boolean thirdDone = third.isDone();
      long sinceFirstMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstSubmitted);
      // The first task's 3 s sleep began after it was submitted: sooner than that, nothing can have made room.
      assumeTrue(sinceFirstMs < 3_000, "the test thread needed " + sinceFirstMs + " ms from submitting the"
          + " 3 s task to seeing the third submit wait; the task may have ended and made room meanwhile");
      assertThat(thirdDone).as("the third submit waits for room").isFalse();
      assertThat(submitter.isAlive()).isTrue();

      TaskOutcome firstOutcome = first.outcome().get(30, TimeUnit.SECONDS);
      assertThat(third.get(30, TimeUnit.SECONDS).outcome().get(30, TimeUnit.SECONDS).result().getPayload()
          .toStringUtf8()).isEqualTo("third");
      assertThat(firstDoneWhenReturned.get()).as("submit returned only after a completion made room").isTrue();
      assertThat(returnedNanos.get()).isGreaterThanOrEqualTo(firstOutcome.result().getEndNanos());
      assertThat(second.outcome().get(30, TimeUnit.SECONDS)).isNotNull();
    }
  }

  @Test
  void cancellingAnInFlightTaskKeepsTheWarmWorker() throws Exception {
    try (WorkerPool pool = Pools.builder(TransportKind.UDS, 1).start()) {
      long pid = pool.worker(1).pid();
      TaskHandle h = pool.submit(TaskSpec.of("sleep", BuiltInTasks.sleepPayload(30_000)));
      assertThat(Os.within(10_000, () -> Pools.tasksInFlight(pool) == 1)).isTrue();

      assertThat(h.cancel("the caller changed its mind")).isTrue();
      assertThat(Pools.failureOf(h)).isInstanceOf(CancellationException.class)
          .hasMessageContaining("the caller changed its mind");
      assertThat(h.cancel("again")).isFalse();

      TaskOutcome next = pool.submit(TaskSpec.of("echo", ByteString.copyFromUtf8("next"))).outcome()
          .get(10, TimeUnit.SECONDS);
      assertThat(next.workerPid()).isEqualTo(pid);
      assertThat(next.result().getPayload().toStringUtf8()).isEqualTo("next");
      assertThat(Os.within(5_000, () -> Pools.tasksInFlight(pool) == 0)).as("the worker dropped the sleep").isTrue();
      assertThat(pool.stats().cancelled()).isEqualTo(1);
      assertThat(pool.stats().completed()).isEqualTo(1);
      assertThat(pool.worker(1).pid()).isEqualTo(pid);
    }
  }

  @Test
  void aTaskPastItsDeadlineFailsWithoutARetryAndTheWorkerStays() throws Exception {
    try (WorkerPool pool = Pools.builder(TransportKind.UDS, 1).maxInFlightPerWorker(1).start()) {
      long pid = pool.worker(1).pid();
      TaskHandle slow = pool.submit(TaskSpec.of("sleep", BuiltInTasks.sleepPayload(10_000))
          .withDeadline(Duration.ofMillis(500)));
      // Queued behind the slow one, with a deadline that passes before the slow one's.
      TaskHandle waiting = pool.submit(TaskSpec.of("echo", ByteString.EMPTY).withDeadline(Duration.ofMillis(200)));

      assertThat(Pools.failureOf(waiting)).isInstanceOf(TaskFailedException.class)
          .hasMessageContaining("deadline of 200 ms passed while it waited for a worker");
      assertThat(Pools.failureOf(slow)).isInstanceOf(TaskFailedException.class)
          .hasMessageContaining("deadline of 500 ms passed (not retried)")
          .satisfies(e -> assertThat(((TaskFailedException) e).attempts()).isEqualTo(1));
      assertThat(pool.submit(TaskSpec.of("echo", ByteString.EMPTY)).outcome().get(10, TimeUnit.SECONDS).workerPid())
          .isEqualTo(pid);
      assertThat(pool.stats().failed()).isEqualTo(2);
      assertThat(pool.stats().retried()).isZero();
    }
  }

  @Test
  void cancellingAQueuedTaskRemovesIt() throws Exception {
    try (WorkerPool pool = Pools.builder(TransportKind.UDS, 1).maxInFlightPerWorker(1).start()) {
      long submitted = System.nanoTime();
      TaskHandle running = pool.submit(TaskSpec.of("sleep", BuiltInTasks.sleepPayload(3_000)));
      TaskHandle queued = pool.submit(TaskSpec.of("echo", ByteString.copyFromUtf8("never")));
      long queuedCount = pool.stats().queued();
      boolean cancelled = queued.cancel("not needed");
      long sinceMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - submitted);
      // The running task's 3 s sleep began after it was submitted: sooner than that, the echo cannot have left
      // the queue for the worker.
      assumeTrue(sinceMs < 3_000, "the test thread needed " + sinceMs + " ms from submitting the 3 s task to"
          + " cancelling the one queued behind it; it may have been dispatched meanwhile");
      assertThat(queuedCount).isEqualTo(1);
      assertThat(cancelled).isTrue();
      assertThat(Pools.failureOf(queued)).isInstanceOf(CancellationException.class).hasMessageContaining("while queued");
      assertThat(pool.stats().queued()).isZero();
      assertThat(running.outcome().get(30, TimeUnit.SECONDS).attempts()).isEqualTo(1);
      assertThat(pool.stats().cancelled()).isEqualTo(1);
    }
  }
}
