package dev.ipclab.parent;

/**
 * A pool task failed for good: its handler threw or refused the payload, its deadline passed, its worker died
 * once too often (or once, for a task that is not retryable), or the pool closed. The message says which; for a
 * dead worker it carries the decoded exit (code, signal, log tail), and the cause is the exception behind it.
 */
public final class TaskFailedException extends IpclabException {
  private static final long serialVersionUID = 1L;

  private final int attempts;

  public TaskFailedException(String message, int attempts, Throwable cause) {
    super(message, cause);
    this.attempts = attempts;
  }

  /** How many times the task was sent to a worker before it failed; 0 if it never left the queue. */
  public int attempts() {
    return attempts;
  }
}
