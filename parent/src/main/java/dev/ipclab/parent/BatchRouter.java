package dev.ipclab.parent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Routes a batch of tasks ({@link WorkerPool#submitAll}, {@link WorkerPool#map}) through a {@link TaskRouter}:
 * decides many tasks per hold of its lock and sends each worker's share in one write.
 */
final class BatchRouter {
  /** Tasks decided under one hold of the lock by {@link #submitAll}: bounds how long completions wait for it. */
  static final int BATCH_DECISIONS = 1024;

  private final TaskRouter router;
  private final TaskRouter.Limits limits;
  private final int workers;

  BatchRouter(TaskRouter router, TaskRouter.Limits limits, int workers) {
    this.router = router;
    this.limits = limits;
    this.workers = workers;
  }

  /**
   * Submits {@code specs} in order as {@link TaskRouter#submit} would, into {@code handles}, but decides up to
   * {@value #BATCH_DECISIONS} at a time under one lock and sends each worker's share in one write. Waits for queue
   * room as submit does, after sending what it has decided (never while holding it back). With
   * {@link Backpressure#FAIL}, a full queue cancels the tasks of this call already submitted and throws.
   */
  void submitAll(List<TaskSpec> specs, List<TaskHandle> handles) throws InterruptedException {
    for (TaskSpec spec : specs) {
      if (spec.workerId() > workers) {
        throw new IllegalArgumentException("a task is pinned to worker " + spec.workerId() + ", but this pool has"
            + " ids 1.." + workers);
      }
    }
    int next = 0;
    while (next < specs.size()) {
      List<TaskRouter.Send> sends = new ArrayList<>();
      int decided = 0;
      router.lock.lockInterruptibly();
      BurstDeadlines<TaskRun> queueDeadlines = router.openQueueBurst();
      try {
        while (next < specs.size() && decided < BATCH_DECISIONS) {
          TaskRouter.Placed placed = router.place(specs.get(next), true);
          if (placed != null) {
            if (placed.send() != null) {
              sends.add(placed.send());
            }
            handles.add(placed.task().handle());
            decided++;
            next++;
          } else if (decided > 0) {
            break; // send what is decided before waiting for room
          } else if (limits.backpressure() == Backpressure.FAIL) {
            router.lock.unlock();
            try {
              handles.forEach(h -> h.cancel("the rest of its batch did not fit in the pool's queue"));
            } finally {
              router.lock.lock();
            }
            throw new PoolSaturatedException("the pool's queue is full: " + router.queued() + " tasks queued"
                + " (capacity " + limits.queueCapacity() + ") with " + (specs.size() - next) + " of a batch of "
                + specs.size() + " still to submit; the " + next + " submitted were cancelled. Submit fewer at a"
                + " time, raise the queue capacity, or use Backpressure.BLOCK to wait for room");
          } else {
            router.awaitRoomForBatch();
          }
        }
      } finally {
        router.closeQueueBurst();
        router.lock.unlock();
        try {
          queueDeadlines.start();
        } catch (java.util.concurrent.RejectedExecutionException e) {
          // The pool is closing: it fails every queued task itself.
        }
      }
      sendBatched(sends);
      router.sendQueued(); // as in submit: queued tasks go on if a worker has room no completion will announce
    }
  }

  /**
   * Whether a completion on {@code slot}'s {@code worker} leaves the queue, led by {@code head}, alone: when
   * batched tasks wait at its head and the slot still has more than half its room in use. Its later completions
   * refill it with half its room at once, so a batch's tasks keep going out many per frame instead of one per
   * completion. A retry or a failure always refills (the router's call); so does a completion once the slot is
   * down to half, and every completion of a queue led by a single submit, which keeps its order and latency.
   * Under the router's lock.
   */
  boolean holdRefill(TaskRun head, WorkerSlot slot, WorkerProcess worker) {
    return head != null && head.batched() && slot.busierThan(worker, limits.maxInFlightPerWorker() / 2);
  }

  /** Whether this thread is delivering a burst of batched answers from {@code worker}, whose end refills. */
  static boolean answeredInBurst(WorkerProcess worker) {
    try {
      return worker.connection().deliveringAnswerBurst();
    } catch (IllegalStateException e) {
      return false; // no channel: the attempt failed before it was sent
    }
  }

  /** Sends each worker's share of {@code sends} in one batched write; otherwise as {@link TaskRouter#send} does. */
  void sendBatched(List<TaskRouter.Send> sends) {
    if (sends.size() <= 1) {
      sends.forEach(router::send);
      return;
    }
    Map<WorkerProcess, List<TaskRouter.Send>> byWorker = new LinkedHashMap<>();
    for (TaskRouter.Send s : sends) {
      byWorker.computeIfAbsent(s.worker(), w -> new ArrayList<>()).add(s);
    }
    byWorker.forEach((worker, share) -> {
      List<TaskRouter.Send> live = new ArrayList<>(share.size());
      List<WorkerConnection.TaskRequest> requests = new ArrayList<>(share.size());
      for (TaskRouter.Send s : share) {
        long left = s.task().deadlineNanos - System.nanoTime();
        if (left <= 0) {
          router.send(s); // fails it as overdue
        } else {
          live.add(s);
          requests.add(new WorkerConnection.TaskRequest(s.task().spec.kind(), s.task().spec.payload(),
              Duration.ofNanos(left), s.attempt()));
        }
      }
      List<WorkerConnection.SubmittedTask> sent;
      try {
        sent = worker.connection().submitTasks(requests);
      } catch (RuntimeException e) {
        live.forEach(s -> router.attemptDone(s, null, new WorkerFailedException("cannot send " + s.task() + " to "
            + worker + ": " + e, e)));
        return;
      }
      for (int i = 0; i < live.size(); i++) {
        TaskRouter.Send s = live.get(i);
        WorkerConnection.SubmittedTask t = sent.get(i);
        s.task().sent(t.requestId());
        t.result().whenComplete((result, error) -> router.attemptDone(s, result, error));
        String reason = s.task().cancelReason();
        if (reason != null && !s.task().finished()) {
          worker.connection().cancel(t.requestId(), reason); // cancelled while it was being sent
        }
      }
    });
  }
}
