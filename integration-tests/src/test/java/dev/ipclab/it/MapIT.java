package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.StringValue;
import dev.ipclab.parent.PoolStats;
import dev.ipclab.parent.TaskHandle;
import dev.ipclab.parent.TaskOutcome;
import dev.ipclab.parent.TaskSpec;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.transport.TransportKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The pool's batched calls on real workers: input order, one outcome per task, retries after a SIGKILL. */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MapIT {

  @ParameterizedTest
  @EnumSource(value = TransportKind.class, names = {"PIPE", "UDS", "SHM"})
  void mapReturnsEveryResultOnceInInputOrder(TransportKind transport) throws Exception {
    try (WorkerPool pool = Pools.builder(transport, 2).start()) {
      List<StringValue> inputs = new ArrayList<>();
      for (int i = 0; i < 5_000; i++) {
        inputs.add(StringValue.of("input " + i));
      }
      List<StringValue> outputs = pool.map("echo", inputs, StringValue.parser()).get(60, TimeUnit.SECONDS);

      assertThat(outputs).containsExactlyElementsOf(inputs);
      PoolStats stats = pool.stats();
      assertThat(stats.submitted()).isEqualTo(5_000);
      assertThat(stats.completed()).isEqualTo(5_000);
      assertThat(stats.failed() + stats.cancelled() + stats.retried()).isZero();
      assertThat(stats.inFlight() + stats.queued()).isZero();
    }
  }

  @Test
  void aWorkerKilledMidMapOfShortTasksInBatchFramesLeavesEveryInputOneResult() throws Exception {
    int count = 100_000; // echoes, batched many per frame both ways: long enough to be killed in the middle
    try (WorkerPool pool = Pools.builder(TransportKind.PIPE, 2).start()) {
      assertThat(pool.worker(1).hello().getAcceptsTaskBatches()).as("the Java worker reads batch frames").isTrue();
      List<StringValue> inputs = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        inputs.add(StringValue.of("input " + i));
      }
      long killedPid = pool.worker(1).pid();
      // map returns once every input is submitted, which waits for queue room: called on a thread of its own.
      CompletableFuture<List<StringValue>> outputs = new CompletableFuture<>();
      Thread caller = Thread.ofPlatform().name("map-caller").start(() -> {
        try {
          pool.map("echo", inputs, StringValue.parser()).whenComplete((result, error) -> {
            if (error != null) {
              outputs.completeExceptionally(error);
            } else {
              outputs.complete(result);
            }
          });
        } catch (InterruptedException | RuntimeException e) {
          outputs.completeExceptionally(e);
        }
      });
      while (pool.stats().completed() < 1_000) {
        Thread.sleep(1);
      }
      long before = pool.stats().completed();
      ProcessHandle.of(killedPid).orElseThrow().destroyForcibly(); // SIGKILL
      assertThat(before).as("the map is still running when the worker is killed").isLessThan(count);

      assertThat(outputs.get(60, TimeUnit.SECONDS)).containsExactlyElementsOf(inputs);
      caller.join();
      PoolStats stats = pool.stats();
      assertThat(stats.submitted()).isEqualTo(count);
      assertThat(stats.completed()).as("one outcome per input, none twice").isEqualTo(count);
      assertThat(stats.failed() + stats.cancelled()).isZero();
      assertThat(stats.retried()).as("the killed worker's unanswered tasks, run again").isPositive();
      assertThat(stats.inFlight() + stats.queued()).isZero();
    }
  }

  @Test
  void aWorkerKilledMidBatchHasItsTasksRetriedAndEveryTaskEndsOnce() throws Exception {
    // Few in flight per worker and 20 ms tasks, so the batch lasts long enough to be killed in the middle.
    try (WorkerPool pool = Pools.builder(TransportKind.PIPE, 2).maxInFlightPerWorker(4).start()) {
      List<TaskSpec> specs = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        // "sleep" returns its payload: leading zeros keep each one distinct and still mean 20 ms.
        specs.add(TaskSpec.of("sleep", ByteString.copyFrom("0".repeat(i) + "20", StandardCharsets.US_ASCII)));
      }
      long killedPid = pool.worker(1).pid();
      List<TaskHandle> handles = pool.submitAll(specs);
      assertThat(handles).hasSize(300);
      while (pool.stats().completed() < 20) {
        Thread.sleep(5);
      }
      assertThat(pool.stats().completed()).as("the batch is still running when the worker is killed")
          .isLessThan(250);
      ProcessHandle.of(killedPid).orElseThrow().destroyForcibly(); // SIGKILL

      int retried = 0;
      for (int i = 0; i < handles.size(); i++) {
        TaskOutcome outcome = handles.get(i).outcome().get(60, TimeUnit.SECONDS);
        assertThat(outcome.result().getPayload()).as("the result of task " + i).isEqualTo(specs.get(i).payload());
        if (outcome.attempts() > 1) {
          retried++;
          assertThat(outcome.workerPid()).isNotEqualTo(killedPid);
        }
      }
      assertThat(retried).as("tasks that were in flight on the killed worker, run again").isPositive();
      PoolStats stats = pool.stats();
      assertThat(stats.completed()).isEqualTo(300);
      assertThat(stats.failed() + stats.cancelled()).isZero();
      assertThat(stats.retried()).isEqualTo(retried);
      assertThat(stats.inFlight() + stats.queued()).isZero();
    }
  }
}
