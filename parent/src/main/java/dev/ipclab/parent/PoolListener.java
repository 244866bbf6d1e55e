package dev.ipclab.parent;

/**
 * Hears what the pool's supervision does. Called on the thread that saw the event (the supervisor timer, a
 * channel reader or the process reaper): an implementation must be quick and must not block.
 */
public interface PoolListener {
  /**
   * A worker died or was declared hung.
   *
   * @param detectedNanos System.nanoTime() when the pool saw it
   */
  default void workerDown(int workerId, long pid, String cause, long detectedNanos) {}

  /**
   * The replacement of a dead or hung worker completed its handshake.
   *
   * @param readyNanos System.nanoTime() when it became ready
   */
  default void workerRestarted(int workerId, long oldPid, long newPid, long readyNanos) {}

  /** A task is sent again, as attempt {@code attempt}, because its worker died. */
  default void taskRetried(long taskId, int attempt, String cause) {}
}
