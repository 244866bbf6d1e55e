package dev.ipclab.parent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The pool's record of one task: its attempts, where it is now (queued, or on which slot and process), and its one
 * outcome. {@link TaskHandle} is its public view.
 *
 * <p>One lock: the routing state (attempts, queued, slot, process, last failure) is changed by these methods only,
 * and only under the {@link TaskRouter}'s lock. The volatile fields are read without it by the threads that send,
 * cancel and expire. The outcome is completed once, by whichever path wins {@link #finish}.
 */
final class TaskRun {
  final long id;
  final TaskSpec spec;
  final long deadlineNanos;
  private final boolean batched;
  private final TaskHandle handle;
  private final CompletableFuture<TaskOutcome> outcome = new CompletableFuture<>();
  /** Won by the one path that completes the outcome, before it counts it and completes the future. */
  private final AtomicBoolean finished = new AtomicBoolean();

  // Under the router's lock.
  private int attempts;
  private boolean queued;
  private WorkerSlot slot;
  private WorkerProcess worker;
  private String lastFailure;

  /** Fails the task if it is still queued at its deadline; read by whichever thread completes the task. */
  private volatile ScheduledFuture<?> queueDeadline;
  /** The request id of the attempt in flight on its worker's connection; 0 while none is. */
  private volatile long requestId;
  /** Why the caller cancelled; null unless it did. */
  private volatile String cancelReason;

  /** @param batched submitted in a batch ({@link WorkerPool#submitAll}, {@link WorkerPool#map}) */
  TaskRun(long id, TaskSpec spec, boolean batched, TaskRouter router) {
    this.id = id;
    this.spec = spec;
    this.batched = batched;
    this.deadlineNanos = System.nanoTime() + spec.deadline().toNanos();
    this.handle = new TaskHandle(this, router);
  }

  TaskHandle handle() {
    return handle;
  }

  CompletableFuture<TaskOutcome> outcome() {
    return outcome;
  }

  /**
   * Submitted in a batch: while queued, its deadline shares its batch's timer, and a worker is refilled with it in
   * bulk rather than one task per completion.
   */
  boolean batched() {
    return batched;
  }

  // ---- under the router's lock ----

  /** A new attempt on {@code slot}'s process {@code worker}; returns its number, from 1. */
  int startAttempt(WorkerSlot slot, WorkerProcess worker) {
    attempts++;
    this.slot = slot;
    this.worker = worker;
    this.requestId = 0;
    return attempts;
  }

  /**
   * Attempt {@code attempt} on {@code slot} ended with {@code cause} (null: an answer). True if it was the task's
   * current attempt and the task has no outcome yet: then the task is on no worker now, and the caller decides
   * what comes next. False if that was decided already (a cancel, a deadline, a close came first).
   */
  boolean endAttempt(WorkerSlot slot, int attempt, Throwable cause) {
    if (finished.get() || this.slot != slot || attempts != attempt) {
      return false;
    }
    this.slot = null;
    this.worker = null;
    this.requestId = 0;
    if (cause != null) {
      lastFailure = cause.getMessage();
    }
    return true;
  }

  int attempts() {
    return attempts;
  }

  boolean queued() {
    return queued;
  }

  void queued(boolean queued) {
    this.queued = queued;
  }

  /** The process the current attempt is on; null while none is. */
  WorkerProcess worker() {
    return worker;
  }

  /** Why the last attempt failed, or null. */
  String lastFailure() {
    return lastFailure;
  }

  /** The caller cancelled, for {@code reason}: a send under way reads it and drops the request. */
  void cancelRequested(String reason) {
    cancelReason = reason;
  }

  // ---- any thread ----

  /** The current attempt was written to its worker as {@code requestId}. */
  void sent(long requestId) {
    this.requestId = requestId;
  }

  long requestId() {
    return requestId;
  }

  String cancelReason() {
    return cancelReason;
  }

  ScheduledFuture<?> queueDeadline() {
    return queueDeadline;
  }

  void queueDeadline(ScheduledFuture<?> timer) {
    queueDeadline = timer;
  }

  boolean finished() {
    return finished.get();
  }

  /**
   * Completes the outcome, once: whichever path comes second changes nothing and gets false. {@code count} runs
   * before the future completes, so a caller woken by the outcome reads counters that include it.
   */
  boolean finish(TaskOutcome result, Throwable error, Runnable count) {
    if (!finished.compareAndSet(false, true)) {
      return false;
    }
    ScheduledFuture<?> timer = queueDeadline;
    if (timer != null) {
      timer.cancel(false);
    }
    count.run();
    if (result != null) {
      outcome.complete(result);
    } else {
      outcome.completeExceptionally(error);
    }
    return true;
  }

  @Override
  public String toString() {
    return "task " + id + " (" + spec.kind() + ")";
  }
}
