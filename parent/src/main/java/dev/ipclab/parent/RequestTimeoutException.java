package dev.ipclab.parent;

/**
 * A worker did not answer a request to it (a ping, a status request) within the timeout the caller gave; the
 * message names the worker, the request and the timeout. The worker may still be alive, only slow or not reading.
 */
public final class RequestTimeoutException extends IpclabException {
  private static final long serialVersionUID = 1L;

  public RequestTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
