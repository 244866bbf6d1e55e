package dev.ipclab.transport;

import dev.ipclab.proto.v1.ErrorCode;
import java.io.IOException;

/** A peer broke the protocol: bad framing, bytes that do not parse, or a kind that is not allowed. */
public class ProtocolException extends IOException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public ProtocolException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public ProtocolException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** The code to put into the error reply sent back to the peer. */
  public ErrorCode code() {
    return code;
  }

  /** Finds the protocol exception in a cause chain (Netty wraps decoder failures), or classifies the failure. */
  public static ProtocolException from(Throwable failure, String peer) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ProtocolException pe) {
        return pe;
      }
      if (t instanceof com.google.protobuf.InvalidProtocolBufferException ipbe) {
        return new ProtocolException(
            ErrorCode.ERROR_CODE_MALFORMED_FRAME,
            "a frame from " + peer + " does not parse as an ipclab envelope (" + ipbe.getMessage()
                + "). Expected varint-length-prefixed protobuf. Did something else write to this channel,"
                + " for example a print to stdout?",
            ipbe);
      }
    }
    return new ProtocolException(
        ErrorCode.ERROR_CODE_INTERNAL, "channel to " + peer + " failed: " + failure, failure);
  }
}
