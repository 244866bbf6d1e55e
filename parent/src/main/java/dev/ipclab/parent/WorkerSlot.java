package dev.ipclab.parent;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One place in a pool, {@code worker-<id>}: the process filling it now (a new one after each restart or
 * recycle), the pool's tasks in flight on it, its recycling, and its restart history.
 *
 * <p>The slot owns this state: it changes only through these methods, under the slot's own lock. The lock is a
 * leaf (no method calls out while holding it), so the router, the supervisor and the pool may call in while
 * holding theirs. {@link #current()} and {@link #restarts()} are read without it. The router calls the task
 * methods and {@link #fill} under its own lock as well, so that "has room" and "assign" see the same process.
 */
final class WorkerSlot {
  final int id;
  /** The process filling the slot now; replaced on restart and on recycling. */
  private volatile WorkerProcess current;
  /** Restarts after a crash or a hang (recycling is not counted), for {@code ipclab top}. */
  private volatile int restarts;

  // Under this slot's lock.
  /** Processes spawned into this slot so far; the n-th logs to {@code worker-<id>.<n>.log}. */
  private int spawned;
  private final Set<TaskRun> inFlight = new LinkedHashSet<>();
  /** Tasks given to the current process, for max-tasks-per-child. */
  private int served;
  /** The current process takes no new tasks: it has had its max tasks, or its channel already failed a task. */
  private boolean closedToTasks;
  /** The current process had its max tasks and finished them: its replacement is under way. */
  private boolean retiring;
  /** Why the current process is to be recycled once its tasks are done (max tasks, or memory); null if not. */
  private String recycleReason;
  /** Restarts in a row with no replacement staying up in between; sets the backoff. */
  private int consecutiveRestarts;
  /** The pid whose going down the listener has heard of, so a hung-then-killed worker is reported once. */
  private long reportedDownPid;

  WorkerSlot(int id) {
    this.id = id;
  }

  WorkerProcess current() {
    return current;
  }

  int restarts() {
    return restarts;
  }

  /** A new process fills the slot: it starts with no tasks served and open to tasks. */
  synchronized void fill(WorkerProcess worker) {
    current = worker;
    served = 0;
    closedToTasks = false;
    retiring = false;
    recycleReason = null;
  }

  /** The number of the next process spawned into this slot, from 1, for its log's name. */
  synchronized int nextSpawn() {
    return ++spawned;
  }

  // ---- tasks ----

  /** Whether the current process takes a task now: it is READY, open to tasks, with fewer than {@code max}. */
  synchronized boolean hasRoom(int max) {
    WorkerProcess w = current;
    return w != null && !closedToTasks && w.state() == WorkerState.READY && inFlight.size() < max;
  }

  /**
   * Whether {@code worker} is the current process, open to tasks, with more than {@code count} in flight: room
   * that later completions free may be refilled in one go.
   */
  synchronized boolean busierThan(WorkerProcess worker, int count) {
    return current == worker && !closedToTasks && inFlight.size() > count;
  }

  synchronized int inFlightCount() {
    return inFlight.size();
  }

  synchronized List<TaskRun> inFlightTasks() {
    return List.copyOf(inFlight);
  }

  /**
   * {@code task} goes to the current process, which is returned. With {@code maxTasksPerChild} (0: none), the
   * process that reaches it takes no more tasks and is recycled once they are done.
   */
  synchronized WorkerProcess assign(TaskRun task, int maxTasksPerChild) {
    inFlight.add(task);
    if (maxTasksPerChild > 0 && ++served >= maxTasksPerChild) {
      closedToTasks = true; // it finishes what it has, then is recycled
      recycleReason = "it has run its " + maxTasksPerChild + " tasks (max tasks per child)";
    }
    return current;
  }

  /**
   * An attempt of {@code task} on {@code worker} ended; true if it was in flight here. If {@code worker} is still
   * the current process: one whose channel failed takes no more tasks; one past {@code maxRss} (its RSS {@code rss},
   * both in bytes; -1 when not read) is to be recycled.
   */
  synchronized boolean attemptEnded(TaskRun task, WorkerProcess worker, boolean workerDied, long rss, long maxRss) {
    boolean was = inFlight.remove(task);
    if (current != worker) {
      return was;
    }
    if (workerDied) {
      closedToTasks = true; // its channel is gone; the exit will follow
    } else if (maxRss > 0 && rss > maxRss && recycleReason == null) {
      closedToTasks = true; // it finishes what it has, then is recycled
      recycleReason = "its RSS of " + (rss >> 20) + " MiB exceeds the limit of " + (maxRss >> 20)
          + " MiB (max memory before recycle)";
    }
    return was;
  }

  /**
   * Whether {@code worker}, the current process, is to be recycled now: it has a reason and no task left. True
   * once per process; the reason is {@link #recycleReason()}.
   */
  synchronized boolean retireNow(WorkerProcess worker) {
    if (current != worker || recycleReason == null || !inFlight.isEmpty() || retiring) {
      return false;
    }
    retiring = true;
    return true;
  }

  /** Why the current process is being recycled; null if it is not. */
  synchronized String recycleReason() {
    return recycleReason;
  }

  // ---- restarts ----

  /**
   * Counts a restart of this slot and returns its backoff step: how many restarts in a row came before it. A
   * ready spare has no JVM start to throttle, so taking one ({@code spare}) does not add to the run.
   */
  synchronized int restarted(boolean spare) {
    restarts++;
    return spare ? consecutiveRestarts : consecutiveRestarts++;
  }

  /** {@code worker} stayed up for the longest backoff: if it is still the slot's and alive, the run ends. */
  synchronized void stayedUp(WorkerProcess worker) {
    if (current == worker && !worker.state().isTerminal()) {
      consecutiveRestarts = 0;
    }
  }

  /** True the first time the going down of {@code pid} is reported; false after. */
  synchronized boolean firstReportOfDown(long pid) {
    if (reportedDownPid == pid) {
      return false;
    }
    reportedDownPid = pid;
    return true;
  }

  @Override
  public String toString() {
    WorkerProcess w = current;
    return w == null ? "worker-" + id + " (empty)" : w.toString();
  }
}
