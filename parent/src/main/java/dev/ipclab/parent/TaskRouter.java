package dev.ipclab.parent;

import dev.ipclab.proto.v1.TaskResult;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

/**
 * The pool's task side: a bounded queue, routing to the least busy ready worker (or to the one worker a task is
 * pinned to), retries when a worker dies, and exactly one outcome per task. It decides under one lock and sends
 * outside it, on the thread that freed the room (the caller of submit, or the channel reader that delivered a
 * reply): no extra thread hop on the hot path.
 *
 * <p>Its lock guards the queue, the counts, and the routing state of each {@link TaskRun}, which only TaskRun's
 * own methods change. Each {@link WorkerSlot} guards its own state; the router calls in while holding its lock.
 */
final class TaskRouter {
  private static final Logger log = Logger.getLogger(TaskRouter.class.getName());

  /** The routing and retry settings a pool's builder collected. */
  record Limits(int maxInFlightPerWorker, int maxAttempts, int queueCapacity, Backpressure backpressure,
      int maxTasksPerChild, long maxMemoryBeforeRecycle) {}

  private final Limits limits;
  private final List<WorkerSlot> slots;
  private final ScheduledExecutorService timer;
  private final PoolListener listener;
  /** Told when a recycled worker has no task left in flight: the pool replaces it. */
  private final BiConsumer<WorkerSlot, WorkerProcess> retire;
  /** Package-private for {@link BatchRouter}, which decides a batch's tasks under it. */
  final ReentrantLock lock = new ReentrantLock();
  private final Condition roomInQueue = lock.newCondition();
  /**
   * Signalled once the queue is down to half its capacity, for {@link #awaitRoomForBatch}: a batch that waits for
   * room wakes once per half a queue, not once per task taken off it (a wake-up costs as much as a task).
   */
  private final Condition roomForBatch = lock.newCondition();
  private int batchWaiters;
  private final ArrayDeque<TaskRun> queue = new ArrayDeque<>();
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong submitted = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong cancelled = new AtomicLong();
  private final AtomicLong retried = new AtomicLong();
  private int inFlight;
  /** Queued tasks pinned to one worker; while there are none, the queue is drained strictly from its head. */
  private int pinnedQueued;
  /** Set once: every later submit throws it. */
  private RuntimeException shut;
  private final BatchRouter batches;
  /** The queue deadlines of the batch being decided, while one is; guarded by the lock. */
  private BurstDeadlines<TaskRun> queueBurst;

  TaskRouter(Limits limits, List<WorkerSlot> slots, ScheduledExecutorService timer, PoolListener listener,
      BiConsumer<WorkerSlot, WorkerProcess> retire) {
    this.limits = limits;
    this.slots = slots;
    this.timer = timer;
    this.listener = listener;
    this.retire = retire;
    this.batches = new BatchRouter(this, limits, slots.size());
  }

  /** One attempt decided under the lock, to be sent outside it. */
  record Send(TaskRun task, WorkerSlot slot, WorkerProcess worker, int attempt) {}

  /** A task just submitted, and the attempt to send outside the lock; {@code send} is null if it was queued. */
  record Placed(TaskRun task, Send send) {}

  TaskHandle submit(TaskSpec spec) throws InterruptedException {
    if (spec.workerId() > slots.size()) {
      throw new IllegalArgumentException("the task is pinned to worker " + spec.workerId() + ", but this pool has"
          + " ids 1.." + slots.size());
    }
    Placed placed;
    lock.lockInterruptibly();
    try {
      while ((placed = place(spec, false)) == null) {
        if (limits.backpressure() == Backpressure.FAIL) {
          throw new PoolSaturatedException("the pool's queue is full: " + queue.size() + " tasks queued (capacity "
              + limits.queueCapacity() + ") and " + inFlight + " in flight on " + slots.size() + " workers; submit"
              + " later, raise the queue capacity, or use Backpressure.BLOCK to wait for room");
        }
        roomInQueue.await();
      }
    } finally {
      lock.unlock();
    }
    if (placed.send() != null) {
      send(placed.send());
    } else {
      // Queued behind others; if a worker has room that no completion will announce (one that spoke again after
      // being marked hung, say), this is what sends the queue on.
      sendQueued();
    }
    return placed.task().handle();
  }

  /** Submits {@code specs} in order, into {@code handles}, as {@link BatchRouter#submitAll} does. */
  void submitAll(List<TaskSpec> specs, List<TaskHandle> handles) throws InterruptedException {
    batches.submitAll(specs, handles);
  }

  /** A new process filled {@code slot}; it takes the queued tasks it has room for. */
  void fill(WorkerSlot slot, WorkerProcess worker) {
    worker.afterAnswerBurst(this::sendQueued); // the room a burst of answers frees is filled once, after it
    // Under the lock too: a task is never judged to fit on the old process and then handed to the new one.
    lock.lock();
    try {
      slot.fill(worker);
    } finally {
      lock.unlock();
    }
  }

  /** A worker became ready: hand it what waits in the queue. */
  void workerReady() {
    sendQueued();
  }

  boolean cancel(TaskRun task, String reason) {
    WorkerProcess worker;
    long requestId;
    lock.lock();
    try {
      if (task.finished()) {
        return false;
      }
      task.cancelRequested(reason);
      if (task.queued()) {
        unqueue(task);
        finish(task, null, new CancellationException(task + " cancelled while queued: " + reason));
        return true;
      }
      worker = task.worker();
      requestId = task.requestId();
    } finally {
      lock.unlock();
    }
    // In flight: the cancel is the outcome, whatever the attempt does next (answer, fail, or die with its worker,
    // which would otherwise read as a TaskFailedException to a caller told that the cancel worked). The attempt
    // still ends through attemptDone, which frees the room and retries nothing of a finished task.
    String where = worker != null ? " on " + worker.name() : "";
    if (!finish(task, null, new CancellationException(task + " cancelled while running" + where + ": " + reason))) {
      return false; // its outcome came first
    }
    // Tell the worker to drop it; if the request id is not known yet, send() sees cancelReason once it is.
    if (worker != null && requestId != 0) {
      worker.connection().cancel(requestId, reason);
    }
    return true;
  }

  /** Fails every queued and in-flight task with {@code cause}, and every later submit with {@code forSubmit}. */
  void shut(RuntimeException cause, RuntimeException forSubmit) {
    List<TaskRun> victims = new ArrayList<>();
    lock.lock();
    try {
      if (shut != null) {
        return;
      }
      shut = forSubmit;
      victims.addAll(queue);
      for (TaskRun t : queue) {
        t.queued(false);
      }
      queue.clear();
      pinnedQueued = 0;
      for (WorkerSlot slot : slots) {
        victims.addAll(slot.inFlightTasks());
      }
      roomInQueue.signalAll();
      roomForBatch.signalAll();
    } finally {
      lock.unlock();
    }
    for (TaskRun t : victims) {
      finish(t, null, cause);
    }
  }

  PoolStats stats(long restarts) {
    lock.lock();
    try {
      return new PoolStats(submitted.get(), completed.get(), failed.get(), cancelled.get(), retried.get(),
          restarts, queue.size(), inFlight);
    } finally {
      lock.unlock();
    }
  }

  // ---- under the lock ----

  /**
   * A new task for {@code spec} ({@code batched}: one of a {@link BatchRouter} batch), sent to a worker with room
   * if none wait before it, else queued; null if the queue is full. Throws what shut the router.
   */
  Placed place(TaskSpec spec, boolean batched) {
    if (shut != null) {
      throw shut;
    }
    WorkerSlot slot = queue.isEmpty() ? pick(spec) : null;
    if (slot == null && queue.size() >= limits.queueCapacity()) {
      return null;
    }
    TaskRun task = new TaskRun(ids.incrementAndGet(), spec, batched, this);
    Send send = null;
    if (slot != null) {
      send = assign(task, slot);
    } else {
      enqueue(task, false);
    }
    submitted.incrementAndGet();
    return new Placed(task, send);
  }

  /**
   * Starts collecting the queue deadlines of the batch being decided (under the lock) into one timer, which
   * {@link BurstDeadlines#start} arms once the batch's pass is over.
   */
  BurstDeadlines<TaskRun> openQueueBurst() {
    queueBurst = new BurstDeadlines<>(timer, (task, ms) -> expireQueued(task));
    return queueBurst;
  }

  /** Ends {@link #openQueueBurst}; under the lock. */
  void closeQueueBurst() {
    queueBurst = null;
  }

  /** How many tasks wait in the queue, for a saturation message. */
  int queued() {
    return queue.size();
  }

  /** Waits until the queue is down to half its capacity, or the router is shut. */
  void awaitRoomForBatch() throws InterruptedException {
    batchWaiters++;
    try {
      while (queue.size() > limits.queueCapacity() / 2 && shut == null) {
        roomForBatch.await();
      }
    } finally {
      batchWaiters--;
    }
  }

  /** Where {@code spec} may go now: its pinned slot if that has room, else the least busy; null if none. */
  private WorkerSlot pick(TaskSpec spec) {
    if (!spec.pinned()) {
      return leastBusy();
    }
    WorkerSlot slot = slots.get(spec.workerId() - 1);
    return slot.hasRoom(limits.maxInFlightPerWorker()) ? slot : null;
  }

  /** The ready worker with the fewest tasks in flight and room for one more; null if none. */
  private WorkerSlot leastBusy() {
    WorkerSlot best = null;
    int fewest = Integer.MAX_VALUE;
    for (WorkerSlot slot : slots) {
      if (!slot.hasRoom(limits.maxInFlightPerWorker())) {
        continue;
      }
      int n = slot.inFlightCount();
      if (n < fewest) {
        best = slot;
        fewest = n;
      }
    }
    return best;
  }

  private Send assign(TaskRun task, WorkerSlot slot) {
    WorkerProcess worker = slot.assign(task, limits.maxTasksPerChild());
    inFlight++;
    return new Send(task, slot, worker, task.startAttempt(slot, worker));
  }

  private void enqueue(TaskRun task, boolean first) {
    task.queued(true);
    if (task.spec.pinned()) {
      pinnedQueued++;
    }
    if (first) {
      queue.addFirst(task); // a retried task has waited longest
    } else {
      queue.addLast(task);
    }
    if (task.queueDeadline() == null && task.batched() && !first && queueBurst != null) {
      // One timer for the deadlines of all the tasks this batch queues, not one each. A retry (first) gets its
      // own: it may be queued by another thread while the batch waits for room, before the batch's timer starts.
      queueBurst.add(task, task.outcome(), Math.max(0, task.deadlineNanos - System.nanoTime()));
    } else if (task.queueDeadline() == null) {
      long left = task.deadlineNanos - System.nanoTime();
      // A queued task has no connection deadline yet; this one fails it if no worker takes it in time.
      try {
        task.queueDeadline(timer.schedule(() -> expireQueued(task), Math.max(0, left), TimeUnit.NANOSECONDS));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // The pool is closing: shut() fails the queued task in a moment.
      }
    }
  }

  /** A task left the queue: wake one waiting submit, and the waiting batches once the queue is half empty. */
  private void roomFreed() {
    roomInQueue.signal();
    if (batchWaiters > 0 && queue.size() <= limits.queueCapacity() / 2) {
      roomForBatch.signalAll();
    }
  }

  private void unqueue(TaskRun task) {
    if (task.queued()) {
      task.queued(false);
      if (task.spec.pinned()) {
        pinnedQueued--;
      }
      queue.remove(task);
      roomFreed();
    }
  }

  /**
   * Assigns queued tasks to workers with room, oldest first. A pinned task whose worker has no room stays queued
   * without holding back the tasks behind it.
   */
  private List<Send> drain() {
    lock.lock();
    try {
      if (pinnedQueued > 0) {
        return drainPastPinned();
      }
      List<Send> sends = null;
      while (!queue.isEmpty()) {
        WorkerSlot slot = leastBusy();
        if (slot == null) {
          break;
        }
        TaskRun task = queue.pollFirst();
        task.queued(false);
        roomFreed();
        if (sends == null) {
          sends = new ArrayList<>(2);
        }
        sends.add(assign(task, slot));
      }
      return sends == null ? List.of() : sends;
    } finally {
      lock.unlock();
    }
  }

  /** {@link #drain} with pinned tasks queued: one pass over the queue, skipping what cannot go now. */
  private List<Send> drainPastPinned() {
    List<Send> sends = new ArrayList<>(2);
    boolean anyFull = false; // no room for an unpinned task: none behind it fits either
    for (Iterator<TaskRun> it = queue.iterator(); it.hasNext(); ) {
      TaskRun task = it.next();
      if (!task.spec.pinned() && anyFull) {
        continue;
      }
      WorkerSlot slot = pick(task.spec);
      if (slot == null) {
        anyFull |= !task.spec.pinned();
        continue;
      }
      it.remove();
      task.queued(false);
      if (task.spec.pinned()) {
        pinnedQueued--;
      }
      roomFreed();
      sends.add(assign(task, slot));
    }
    return sends;
  }

  // ---- outside the lock ----

  /** Sends queued tasks to the workers that have room for them. */
  void sendQueued() {
    sendAll(drain());
  }

  /** Sends {@code sends}, each worker's share in one write (in batch frames to a worker that reads them). */
  void sendAll(List<Send> sends) {
    if (sends.size() == 1) {
      send(sends.get(0));
    } else if (!sends.isEmpty()) {
      batches.sendBatched(sends);
    }
  }

  void send(Send s) {
    TaskRun task = s.task();
    long left = task.deadlineNanos - System.nanoTime();
    if (left <= 0) {
      attemptDone(s, null, new TimeoutException(task + " reached its deadline of " + task.spec.deadline().toMillis()
          + " ms before a worker could take it"));
      return;
    }
    WorkerConnection.SubmittedTask sent;
    try {
      sent = s.worker().connection().submitTask(task.spec.kind(), task.spec.payload(), Duration.ofNanos(left),
          s.attempt());
    } catch (RuntimeException e) {
      attemptDone(s, null, new WorkerFailedException("cannot send " + task + " to " + s.worker() + ": " + e, e));
      return;
    }
    task.sent(sent.requestId());
    sent.result().whenComplete((result, error) -> attemptDone(s, result, error));
    String reason = task.cancelReason();
    if (reason != null && !task.finished()) {
      s.worker().connection().cancel(sent.requestId(), reason); // cancelled while it was being sent
    }
  }

  /** One attempt ended: the task succeeds, fails, or goes back to the queue; then the freed room is used. */
  void attemptDone(Send s, TaskResult result, Throwable error) {
    TaskRun task = s.task();
    WorkerSlot slot = s.slot();
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    boolean workerDied = cause instanceof WorkerFailedException;
    // Read outside the lock (a file read); only of the slot's current worker, and only when asked for.
    long maxRss = limits.maxMemoryBeforeRecycle();
    long rss = maxRss > 0 && !workerDied && slot.current() == s.worker()
        ? ProcessMemory.rssBytes(s.worker().pid()) : -1;
    boolean retry = false;
    boolean retireNow = false;
    boolean refill;
    Throwable failure = null;
    lock.lock();
    try {
      if (slot.attemptEnded(task, s.worker(), workerDied, rss, maxRss)) {
        inFlight--;
      }
      retireNow = !workerDied && slot.retireNow(s.worker());
      if (task.endAttempt(slot, s.attempt(), cause)) {
        if (workerDied && task.spec.retryable() && !task.spec.pinned() && task.attempts() < limits.maxAttempts()
            && shut == null && task.cancelReason() == null) {
          retry = true;
          retried.incrementAndGet();
          enqueue(task, true);
        } else if (cause != null) {
          failure = cause;
        }
      }
      refill = cause != null || !batches.holdRefill(queue.peekFirst(), slot, s.worker());
    } finally {
      lock.unlock();
    }
    if (retry) {
      listener.taskRetried(task.id, s.attempt() + 1, cause.getMessage());
      log.info(() -> task + " goes again as attempt " + (s.attempt() + 1) + ": " + cause.getMessage());
    } else if (failure != null) {
      finish(task, null, TaskFailures.describe(task, s.attempt(), limits.maxAttempts(), failure));
    } else if (cause == null) {
      finish(task, new TaskOutcome(task.id, result, s.attempt(), slot.id, s.worker().pid()), null);
    }
    if (retireNow) {
      String why = slot.recycleReason();
      log.info(() -> s.worker() + ": " + why + ": recycling it");
      retire.accept(slot, s.worker());
    }
    if (refill && !BatchRouter.answeredInBurst(s.worker())) {
      sendQueued(); // else the burst's end sends the queue on, once for all its answers
    }
  }

  private void expireQueued(TaskRun task) {
    lock.lock();
    try {
      if (!task.queued()) {
        task.queueDeadline(null); // on a worker, whose connection enforces the deadline; re-armed if queued again
        return;
      }
      unqueue(task);
    } finally {
      lock.unlock();
    }
    String last = task.lastFailure() != null ? "; its last attempt failed with: " + task.lastFailure() : "";
    finish(task, null, new TaskFailedException(task + " failed: its deadline of " + task.spec.deadline().toMillis()
        + " ms passed while it waited for a worker (" + task.attempts() + " attempts)" + last, task.attempts(),
        new TimeoutException("queued past the deadline")));
  }

  /** Completes the task's outcome, once (see {@link TaskRun#finish}), and counts it. */
  private boolean finish(TaskRun task, TaskOutcome outcome, Throwable error) {
    return task.finish(outcome, error, () -> (outcome != null ? completed
        : error instanceof CancellationException ? cancelled : failed).incrementAndGet());
  }
}
