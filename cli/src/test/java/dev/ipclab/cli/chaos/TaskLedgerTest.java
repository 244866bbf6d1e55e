package dev.ipclab.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.TaskFailedException;
import dev.ipclab.parent.TaskOutcome;
import dev.ipclab.proto.v1.TaskResult;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The chaos run's ledger: what it counts as an outcome, a duplicate and a failure's cause. */
class TaskLedgerTest {
  private final TaskLedger ledger = new TaskLedger();

  private static TaskOutcome completed(long id, String payload, int attempts) {
    return new TaskOutcome(id, TaskResult.newBuilder().setPayload(ByteString.copyFromUtf8(payload)).build(),
        attempts, 1, 4242);
  }

  @Test
  void countsEachEndingOnceAndTasksWithoutOne() {
    CompletableFuture<TaskOutcome> done = new CompletableFuture<>();
    CompletableFuture<TaskOutcome> failed = new CompletableFuture<>();
    CompletableFuture<TaskOutcome> cancelled = new CompletableFuture<>();
    CompletableFuture<TaskOutcome> pending = new CompletableFuture<>();
    ledger.submitted(1, done, "5 a", true);
    ledger.submitted(2, failed, "5 b", false);
    ledger.submitted(3, cancelled, "5 c", true);
    ledger.submitted(4, pending, "5 d", true);

    done.complete(completed(1, "5 a", 2));
    failed.completeExceptionally(new TaskFailedException("worker-2 pid 4242 is gone: exit 137", 1, null));
    cancelled.completeExceptionally(new CancellationException("cancelled"));

    assertThat(ledger.submitted()).isEqualTo(4);
    assertThat(ledger.count(TaskLedger.Ending.COMPLETED)).isEqualTo(1);
    assertThat(ledger.count(TaskLedger.Ending.FAILED)).isEqualTo(1);
    assertThat(ledger.count(TaskLedger.Ending.CANCELLED)).isEqualTo(1);
    assertThat(ledger.unanswered()).isEqualTo(1);
    assertThat(ledger.retried()).isEqualTo(1);
    assertThat(ledger.foreignResults()).isZero();
    assertThat(ledger.failedByCause()).containsEntry("TaskFailedException: worker-N pid N is gone: exit N", 1L);
  }

  @Test
  void aResultCarryingAnotherTasksPayloadOrIdIsForeign() {
    CompletableFuture<TaskOutcome> a = new CompletableFuture<>();
    CompletableFuture<TaskOutcome> b = new CompletableFuture<>();
    ledger.submitted(1, a, "5 a", true);
    ledger.submitted(2, b, "5 b", true);
    a.complete(completed(1, "5 b", 1));
    b.complete(completed(1, "5 b", 1));
    assertThat(ledger.foreignResults()).isEqualTo(2);
  }

  @Test
  void anIdHandedOutTwiceIsCounted() {
    ledger.submitted(7, new CompletableFuture<>(), "5 a", true);
    ledger.submitted(7, new CompletableFuture<>(), "5 b", true);
    assertThat(ledger.duplicateIds()).isEqualTo(1);
  }

  @Test
  void aNotRetryableTaskThatRanTwiceIsCounted() {
    CompletableFuture<TaskOutcome> a = new CompletableFuture<>();
    ledger.submitted(1, a, "5 a", false);
    a.complete(completed(1, "5 a", 2));
    assertThat(ledger.notRetryableRetried()).isEqualTo(1);
  }

  @Test
  void causeGroupsDropNumbersAndKeepTheFirstLine() {
    assertThat(TaskLedger.causeGroup(new IllegalStateException("worker-3 pid 999 hung\nlog tail 12:00")))
        .isEqualTo("IllegalStateException: worker-N pid N hung");
  }
}
