package dev.ipclab.parent;

/** What {@link WorkerPool#submit} does when every worker is busy and the pool's queue is full. */
public enum Backpressure {
  /** Wait until a task completes and makes room. */
  BLOCK,
  /** Throw {@link PoolSaturatedException} at once. */
  FAIL
}
