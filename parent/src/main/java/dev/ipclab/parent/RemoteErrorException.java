package dev.ipclab.parent;

import dev.ipclab.proto.v1.ErrorCode;

/** The worker answered a request with an error reply. */
public final class RemoteErrorException extends IpclabException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public RemoteErrorException(String worker, ErrorCode code, String message) {
    super(worker + " answered with an error (" + code + "): " + message);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
