package dev.ipclab.transport.protocol;

/** The exit statuses a worker uses on purpose, so that the parent can tell people what each one meant. */
public final class WorkerExitCodes {
  /** Shut down on request. */
  public static final int OK = 0;
  /** Unhandled failure inside the worker; see its log. */
  public static final int FAILURE = 1;
  /** Started with missing or bad settings (for example no token in the environment). */
  public static final int BAD_CONFIGURATION = 2;
  /** The parent broke the protocol, or the channel failed. */
  public static final int PROTOCOL_ERROR = 3;
  /** The parent rejected the handshake. */
  public static final int REJECTED = 4;
  /** The parent is gone: stdin reached end of stream, the parent closed the channel, or the parent exited. */
  public static final int PARENT_GONE = 5;
  /** A test fault asked the worker to exit in the middle of a request. */
  public static final int FAULT_EXIT = 42;

  private WorkerExitCodes() {}

  /** What an exit status that the worker chose means, or null if the worker does not use that status. */
  public static String meaning(int status) {
    return switch (status) {
      case OK -> "clean exit";
      case FAILURE -> "the worker failed; see its log";
      case BAD_CONFIGURATION -> "the worker was started with bad settings";
      case PROTOCOL_ERROR -> "the worker saw a protocol error or lost its channel";
      case REJECTED -> "the parent rejected the worker's handshake";
      case PARENT_GONE -> "the worker's channel to its parent closed, or its parent exited, and it stopped itself";
      case FAULT_EXIT -> "a test fault made the worker exit mid-request";
      default -> null;
    };
  }
}
