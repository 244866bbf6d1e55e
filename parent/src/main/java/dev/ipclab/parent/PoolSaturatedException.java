package dev.ipclab.parent;

/** The pool's queue is full and the pool was built with {@link Backpressure#FAIL}: submit later, or less. */
public final class PoolSaturatedException extends IpclabException {
  private static final long serialVersionUID = 1L;

  public PoolSaturatedException(String message) {
    super(message);
  }
}
