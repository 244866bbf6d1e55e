package dev.ipclab.parent;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One place in a pool, {@code worker-<id>}: the process filling it now (a new one after each restart or
 * recycle), the pool's tasks in flight on it, and its restart history.
 */
final class WorkerSlot {
  final int id;
  /** The process filling the slot now; replaced on restart and on recycling. */
  volatile WorkerProcess current;
  /** Restarts after a crash or a hang (recycling is not counted), for {@code ipclab top}. */
  volatile int restarts;
  /** Processes spawned into this slot so far; the n-th logs to {@code worker-<id>.<n>.log}. Guarded by the pool. */
  int spawned;

  // Guarded by the router's lock.
  final Set<TaskHandle> inFlight = new LinkedHashSet<>();
  /** Tasks given to the current process, for max-tasks-per-child. */
  int served;
  /** The current process takes no new tasks: it has had its max tasks, or its channel already failed a task. */
  boolean closedToTasks;
  /** The current process had its max tasks and finished them: its replacement is under way. */
  boolean retiring;
  /**
   * Why the current process is to be recycled once its tasks are done (max tasks, or memory); null if it is not.
   * Set under the router's lock, read by the thread that then recycles it.
   */
  volatile String recycleReason;

  // Guarded by the pool's restart lock.
  int consecutiveRestarts;
  /** The pid whose going down the listener has heard of, so a hung-then-killed worker is reported once. */
  long reportedDownPid;

  WorkerSlot(int id) {
    this.id = id;
  }

  /** Called under the router's lock when a new process fills the slot. */
  void fill(WorkerProcess worker) {
    current = worker;
    served = 0;
    closedToTasks = false;
    retiring = false;
    recycleReason = null;
  }

  @Override
  public String toString() {
    WorkerProcess w = current;
    return w == null ? "worker-" + id + " (empty)" : w.toString();
  }
}
