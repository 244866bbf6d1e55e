package dev.ipclab.parent;

import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/** Words an attempt's failure as the exception the task's caller sees: what happened, after how many runs. */
final class TaskFailures {
  private TaskFailures() {}

  /** A cancel stays a {@link CancellationException}; anything else becomes a {@link TaskFailedException}. */
  static Throwable describe(TaskRun task, int attempt, int maxAttempts, Throwable cause) {
    if (cause instanceof CancellationException) {
      return cause;
    }
    String what;
    if (cause instanceof WorkerFailedException) {
      what = task.spec.pinned() ? "its worker died and it is pinned to worker-" + task.spec.workerId()
          + " (a pinned task is not retried on another worker)"
          : !task.spec.retryable() ? "its worker died and it is not retryable"
          : "its worker died on attempt " + attempt + " of " + maxAttempts;
    } else if (cause instanceof TimeoutException) {
      what = "its deadline of " + task.spec.deadline().toMillis() + " ms passed (not retried)";
    } else if (cause instanceof RemoteErrorException) {
      what = "the worker refused or failed it (not retried)";
    } else {
      what = "it could not be run";
    }
    return new TaskFailedException(task + " failed: " + what + ": " + cause.getMessage(), attempt, cause);
  }
}
