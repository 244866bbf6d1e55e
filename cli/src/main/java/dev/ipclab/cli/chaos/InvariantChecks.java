package dev.ipclab.cli.chaos;

import dev.ipclab.parent.PoolStats;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/** The invariants about tasks, faults, the pool and the heap; the ones about leftovers are {@link Leftovers}. */
final class InvariantChecks {
  private InvariantChecks() {}

  /**
   * Exactly one outcome, no duplicate, the flood intact, no double run, the pool's counters, and recovery.
   *
   * @param faultTasks the outcomes of the fault injector's pinned tasks, which the pool counts as well
   */
  static List<Invariant> tasks(TaskLedger ledger, PoolStats stats, long[] flood,
      List<CompletableFuture<?>> faultTasks, RecoveryProbe recovery) {
    long submitted = ledger.submitted();
    long completed = ledger.count(TaskLedger.Ending.COMPLETED);
    long failed = ledger.count(TaskLedger.Ending.FAILED);
    long cancelled = ledger.count(TaskLedger.Ending.CANCELLED);
    long unanswered = ledger.unanswered();
    long notRetryable = submitted - ledger.retryableCount();
    long faultCompleted = faultTasks.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
    long faultCancelled = faultTasks.stream().filter(CompletableFuture::isCancelled).count();
    long faultFailed = faultTasks.stream().filter(f -> f.isCompletedExceptionally() && !f.isCancelled()).count();
    // The pool's own counters, less the fault tasks: what the ledger saw.
    long poolSubmitted = stats.submitted() - faultTasks.size();
    long poolCompleted = stats.completed() - faultCompleted;
    long poolFailed = stats.failed() - faultFailed;
    long poolCancelled = stats.cancelled() - faultCancelled;
    boolean statsAgree = poolSubmitted == submitted && poolCompleted == completed
        && poolFailed == failed && poolCancelled == cancelled;
    return List.of(
        Invariant.check("every task has exactly one outcome",
            submitted > 0 && unanswered == 0 && ledger.extraOutcomes() == 0 && ledger.duplicateIds() == 0,
            submitted + " submitted, " + (submitted - unanswered) + " answered, " + unanswered
                + " without an outcome, " + ledger.extraOutcomes() + " second outcomes, " + ledger.duplicateIds()
                + " task ids handed out twice"),
        Invariant.check("no result duplicated", ledger.foreignResults() == 0,
            completed + " completed echoes each returned their own unique payload and id; "
                + ledger.foreignResults() + " carried another task's"),
        Invariant.check("a slow reader's flood came back intact", flood[2] == 0,
            flood[0] + " echoes of 64 KiB sent to paused readers: " + flood[1] + " intact, " + flood[2]
                + " different, " + flood[3] + " lost with their worker"),
        Invariant.check("a not-retryable task never ran twice", ledger.notRetryableRetried() == 0,
            ledger.notRetryableRetried() + " of " + notRetryable + " not-retryable tasks ran more than once"),
        Invariant.check("the pool's counters agree with the run's ledger", statsAgree,
            "pool: submitted " + poolSubmitted + ", completed " + poolCompleted + ", failed "
                + poolFailed + ", cancelled " + poolCancelled + "; ledger: " + submitted + ", " + completed
                + ", " + failed + ", " + cancelled + " (" + faultTasks.size() + " fault tasks left out)"),
        // Not a share of tasks: how many meet their deadline depends on the machine's load, not on the pool.
        Invariant.check("the pool kept serving", completed > 0 && recovery.recovered(),
            completed + " of " + submitted + " tasks completed; after the faults " + recovery.ready() + " of "
                + recovery.slots() + " workers were READY (within " + recovery.waitedMillis() + " ms) and "
                + recovery.answered() + " answered an echo"));
  }

  /** Every worker-killing fault detected, and the pool still standing. */
  static List<Invariant> supervision(List<String> undetected, double largestMs, long restarts, String poolFailure) {
    return List.of(
        Invariant.check("every fault that takes a worker down was detected", undetected.isEmpty(),
            undetected.isEmpty() ? "the pool reported every one, the slowest kill, stop or exit after "
                + fmt(largestMs) + " ms" : "not reported: " + undetected),
        Invariant.check("the pool did not give up", poolFailure == null,
            poolFailure == null ? restarts + " restarts, within the intensity limit" : poolFailure));
  }

  /** The sampled maximum and the used heap after a full GC both within the bound. */
  static Invariant heap(long maxUsedBytes, long afterGcBytes, long boundBytes) {
    return Invariant.check("the parent's heap stayed within the bound",
        maxUsedBytes <= boundBytes && afterGcBytes <= boundBytes,
        "max " + fmt(mb(maxUsedBytes)) + " MB sampled, " + fmt(mb(afterGcBytes)) + " MB after GC, bound "
            + boundBytes / (1024 * 1024) + " MB");
  }

  static double mb(long bytes) {
    return Math.round(bytes / (1024.0 * 1024.0) * 10) / 10.0;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
