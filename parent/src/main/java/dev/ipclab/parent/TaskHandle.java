package dev.ipclab.parent;

import java.util.concurrent.CompletableFuture;

/**
 * One task submitted to a {@link WorkerPool}: its pool-wide id, the future of its one outcome, and a way to cancel
 * it. The future completes exactly once: with a {@link TaskOutcome}, or exceptionally with a
 * {@link TaskFailedException}, a {@link java.util.concurrent.CancellationException} or a
 * {@link PoolFailedException}.
 */
public final class TaskHandle {
  private final TaskRun run;
  private final TaskRouter router;

  TaskHandle(TaskRun run, TaskRouter router) {
    this.run = run;
    this.router = router;
  }

  /** Pool-wide, from 1, in submission order. */
  public long id() {
    return run.id;
  }

  /**
   * Waits for the task's outcome and returns it, or throws its failure as it is: a {@link TaskFailedException}, a
   * {@link PoolFailedException}, or a {@link java.util.concurrent.CancellationException}.
   */
  public TaskOutcome await() throws InterruptedException {
    return Await.result(run.outcome());
  }

  /** Completes exactly once, whatever races: see the class comment for how. */
  public CompletableFuture<TaskOutcome> outcome() {
    return run.outcome();
  }

  /**
   * Cancels the task: a queued task is removed from the queue; a task in flight is dropped in band (the worker
   * is told to interrupt it and stays warm). The outcome fails with a
   * {@link java.util.concurrent.CancellationException}. False if the task already had its outcome.
   */
  public boolean cancel(String reason) {
    return router.cancel(run, reason);
  }

  @Override
  public String toString() {
    return run.toString();
  }
}
