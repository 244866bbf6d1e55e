package dev.ipclab.cli.chaos;

import dev.ipclab.parent.TaskFailedException;
import dev.ipclab.parent.TaskHandle;
import dev.ipclab.parent.TaskOutcome;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every task the chaos run submitted and every outcome it got, by task id: the evidence for "exactly one outcome
 * per task" and "no result duplicated".
 *
 * <p>Each task's payload is unique, so a completed echo that carries any other payload is a result delivered to
 * the wrong task (or twice); an outcome for an id never submitted, or a second outcome for one id, is counted too.
 */
final class TaskLedger {
  /** How a task ended. */
  enum Ending { COMPLETED, FAILED, CANCELLED }

  /** One submitted task and what became of it. */
  static final class Entry {
    final long id;
    final String payload;
    final boolean retryable;
    final AtomicInteger outcomes = new AtomicInteger();
    volatile Ending ending;
    volatile String cause;
    volatile int attempts;

    Entry(long id, String payload, boolean retryable) {
      this.id = id;
      this.payload = payload;
      this.retryable = retryable;
    }
  }

  private final ConcurrentHashMap<Long, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong duplicateIds = new AtomicLong();
  private final AtomicLong foreignResults = new AtomicLong();
  private final AtomicLong extraOutcomes = new AtomicLong();
  private final ConcurrentHashMap<String, AtomicLong> failedByCause = new ConcurrentHashMap<>();

  /** Records a submitted task and listens for its outcome. */
  void submitted(TaskHandle handle, String payload, boolean retryable) {
    submitted(handle.id(), handle.outcome(), payload, retryable);
  }

  /** Records task {@code id}, whose outcome {@code outcome} will carry. */
  void submitted(long id, CompletableFuture<TaskOutcome> outcome, String payload, boolean retryable) {
    Entry entry = new Entry(id, payload, retryable);
    if (entries.putIfAbsent(id, entry) != null) {
      duplicateIds.incrementAndGet();
      return;
    }
    outcome.whenComplete((result, error) -> ended(entry, result, error));
  }

  private void ended(Entry entry, TaskOutcome outcome, Throwable error) {
    if (entry.outcomes.incrementAndGet() > 1) {
      extraOutcomes.incrementAndGet();
      return;
    }
    if (error == null) {
      entry.attempts = outcome.attempts();
      String returned = outcome.result().getPayload().toStringUtf8();
      if (outcome.taskId() != entry.id || !returned.equals(entry.payload)) {
        foreignResults.incrementAndGet();
      }
      entry.ending = Ending.COMPLETED;
      return;
    }
    Throwable cause = unwrap(error);
    if (cause instanceof CancellationException) {
      entry.ending = Ending.CANCELLED;
      return;
    }
    if (cause instanceof TaskFailedException failed) {
      entry.attempts = failed.attempts();
    }
    entry.cause = String.valueOf(cause.getMessage());
    failedByCause.computeIfAbsent(causeGroup(cause), k -> new AtomicLong()).incrementAndGet();
    entry.ending = Ending.FAILED;
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * The cause of a failure without what differs between occurrences (pids, ids, times, the log's tail), so that
   * the summary can count failures per cause: its type and the first line of its message, numbers as N.
   */
  static String causeGroup(Throwable cause) {
    String message = cause.getMessage() == null ? "" : cause.getMessage().lines().findFirst().orElse("");
    String line = message.replaceAll("\\d+", "N");
    if (line.length() > 240) {
      line = line.substring(0, 237) + "...";
    }
    return cause.getClass().getSimpleName() + ": " + line;
  }

  long submitted() {
    return entries.size();
  }

  long count(Ending ending) {
    return entries.values().stream().filter(e -> e.ending == ending).count();
  }

  /** Tasks that ran more than once because a worker died under them. */
  long retried() {
    return entries.values().stream().filter(e -> e.attempts > 1).count();
  }

  /** Tasks still without an outcome. */
  long unanswered() {
    return entries.values().stream().filter(e -> e.outcomes.get() == 0).count();
  }

  long duplicateIds() {
    return duplicateIds.get();
  }

  long extraOutcomes() {
    return extraOutcomes.get();
  }

  /** Completions that carried another task's payload or id. */
  long foreignResults() {
    return foreignResults.get();
  }

  long retryableCount() {
    return entries.values().stream().filter(e -> e.retryable).count();
  }

  /** Not-retryable tasks that were nonetheless run more than once. */
  long notRetryableRetried() {
    return entries.values().stream().filter(e -> !e.retryable && e.attempts > 1).count();
  }

  Map<String, Long> failedByCause() {
    Map<String, Long> sorted = new TreeMap<>();
    failedByCause.forEach((k, v) -> sorted.put(k, v.get()));
    return sorted;
  }
}
