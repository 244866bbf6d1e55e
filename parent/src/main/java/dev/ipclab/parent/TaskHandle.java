package dev.ipclab.parent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One task submitted to a {@link WorkerPool}: its pool-wide id, the future of its one outcome, and a way to cancel
 * it. The future completes exactly once: with a {@link TaskOutcome}, or exceptionally with a
 * {@link TaskFailedException}, a {@link java.util.concurrent.CancellationException} or a
 * {@link PoolFailedException}.
 */
public final class TaskHandle {
  private final long id;
  private final TaskRouter router;
  final TaskSpec spec;
  final long deadlineNanos;
  final CompletableFuture<TaskOutcome> outcome = new CompletableFuture<>();
  /** Won by the one path that completes the outcome, before it counts it and completes the future. */
  final AtomicBoolean finished = new AtomicBoolean();

  // Guarded by the router's lock.
  int attempts;
  boolean queued;
  /** Submitted in a batch ({@link WorkerPool#submitAll}, {@link WorkerPool#map}): refilled into a worker in bulk. */
  boolean batched;
  WorkerSlot slot;
  WorkerProcess worker;
  /** Fails the task if it is still queued at its deadline; read by whichever thread completes the task. */
  volatile ScheduledFuture<?> queueDeadline;
  String lastFailure;

  /** The request id of the attempt in flight on its worker's connection; 0 while none is. */
  volatile long requestId;
  /** Why the caller cancelled; null unless {@link #cancel} was called. */
  volatile String cancelReason;

  TaskHandle(long id, TaskSpec spec, TaskRouter router) {
    this.id = id;
    this.spec = spec;
    this.router = router;
    this.deadlineNanos = System.nanoTime() + spec.deadline().toNanos();
  }

  /** Pool-wide, from 1, in submission order. */
  public long id() {
    return id;
  }

  /**
   * Waits for the task's outcome and returns it, or throws its failure as it is: a {@link TaskFailedException}, a
   * {@link PoolFailedException}, or a {@link java.util.concurrent.CancellationException}.
   */
  public TaskOutcome await() throws InterruptedException {
    return Await.result(outcome);
  }

  /** Completes exactly once, whatever races: see the class comment for how. */
  public CompletableFuture<TaskOutcome> outcome() {
    return outcome;
  }

  /**
   * Cancels the task: a queued task is removed from the queue; a task in flight is dropped in band (the worker
   * is told to interrupt it and stays warm). The outcome fails with a
   * {@link java.util.concurrent.CancellationException}. False if the task already had its outcome.
   */
  public boolean cancel(String reason) {
    return router.cancel(this, reason);
  }

  @Override
  public String toString() {
    return "task " + id + " (" + spec.kind() + ")";
  }
}
