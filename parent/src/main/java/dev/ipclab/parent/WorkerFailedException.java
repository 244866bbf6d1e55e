package dev.ipclab.parent;

/** A worker could not do what was asked because it died, hung, broke the protocol or never became ready. */
public final class WorkerFailedException extends IpclabException {
  private static final long serialVersionUID = 1L;

  public WorkerFailedException(String message) {
    super(message);
  }

  public WorkerFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
