package dev.ipclab.parent;

/**
 * The pool gave up: its workers needed more restarts within the period than its restart intensity allows, so
 * it stopped restarting them instead of looping. The message names the restarts and their causes.
 */
public final class PoolFailedException extends IpclabException {
  private static final long serialVersionUID = 1L;

  public PoolFailedException(String message) {
    super(message);
  }

  public PoolFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
