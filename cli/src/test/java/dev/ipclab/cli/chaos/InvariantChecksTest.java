package dev.ipclab.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.PoolStats;
import dev.ipclab.parent.TaskFailedException;
import dev.ipclab.parent.TaskOutcome;
import dev.ipclab.proto.v1.TaskResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** "The pool kept serving" rests on the pool's recovery, not on a share of tasks a loaded machine cannot promise. */
class InvariantChecksTest {

  /** One completed task and nine that missed their deadline while the workers were starved. */
  private static TaskLedger mostlyTimedOut() {
    TaskLedger ledger = new TaskLedger();
    for (long id = 1; id <= 10; id++) {
      CompletableFuture<TaskOutcome> outcome = new CompletableFuture<>();
      ledger.submitted(id, outcome, "5 t" + id, true);
      if (id == 1) {
        outcome.complete(new TaskOutcome(id, TaskResult.newBuilder().setPayload(ByteString.copyFromUtf8("5 t1"))
            .build(), 1, 1, 4242));
      } else {
        outcome.completeExceptionally(new TaskFailedException("its deadline of 20000 ms passed", 1, null));
      }
    }
    return ledger;
  }

  private static Invariant keptServing(TaskLedger ledger, RecoveryProbe recovery) {
    List<Invariant> all = InvariantChecks.tasks(ledger, new PoolStats(10, 1, 9, 0, 0, 3, 0, 0), new long[4],
        List.of(), recovery);
    return all.stream().filter(i -> i.name().equals("the pool kept serving")).findFirst().orElseThrow();
  }

  @Test
  void fewTasksInTimeStillPassWhenEveryWorkerCameBackAndAnswered() {
    Invariant i = keptServing(mostlyTimedOut(), new RecoveryProbe(4, 4, 4, 33_000));
    assertThat(i.pass()).as(i.detail()).isTrue();
    assertThat(i.detail()).isEqualTo("1 of 10 tasks completed; after the faults 4 of 4 workers were READY"
        + " (within 33000 ms) and 4 answered an echo");
  }

  @Test
  void aSlotThatNeverCameBackFailsIt() {
    assertThat(keptServing(mostlyTimedOut(), new RecoveryProbe(4, 3, 3, 75_000)).pass()).isFalse();
  }

  @Test
  void aReadyWorkerThatDoesNotAnswerFailsIt() {
    assertThat(keptServing(mostlyTimedOut(), new RecoveryProbe(4, 4, 3, 1_000)).pass()).isFalse();
  }

  @Test
  void noCompletedTaskAtAllFailsIt() {
    TaskLedger none = new TaskLedger();
    CompletableFuture<TaskOutcome> outcome = new CompletableFuture<>();
    none.submitted(1, outcome, "5 t", true);
    outcome.completeExceptionally(new TaskFailedException("its deadline of 20000 ms passed", 1, null));
    assertThat(keptServing(none, new RecoveryProbe(4, 4, 4, 1_000)).pass()).isFalse();
  }
}
