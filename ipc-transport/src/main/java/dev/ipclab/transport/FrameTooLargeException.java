package dev.ipclab.transport;

import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.transport.frame.Frames;

/** A peer announced a frame larger than the agreed limit; the frame was not read and nothing was allocated. */
public final class FrameTooLargeException extends ProtocolException {
  private static final long serialVersionUID = 1L;

  private final long announcedBytes;
  private final int maxFrameBytes;

  public FrameTooLargeException(long announcedBytes, int maxFrameBytes, String peer) {
    super(
        ErrorCode.ERROR_CODE_FRAME_TOO_LARGE,
        "frame from " + peer + " announces " + Frames.describeBytes(announcedBytes)
            + ", over the limit of " + Frames.describeBytes(maxFrameBytes)
            + "; it was not read. Send smaller messages, or raise --max-frame-bytes on both sides"
            + " if frames this large are intended." + strayPrintHint(peer));
    this.announcedBytes = announcedBytes;
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * On a pipe, text printed to the worker's stdout is read as a length prefix; a line that starts with non-ASCII
   * bytes (UTF-8, colour codes) announces a huge frame, so say that this may be a print rather than a frame.
   */
  private static String strayPrintHint(String peer) {
    return peer.contains("stdout")
        ? " On a pipe these bytes may be no frame at all: did something print to this worker's stdout?"
        : "";
  }

  public long announcedBytes() {
    return announcedBytes;
  }

  public int maxFrameBytes() {
    return maxFrameBytes;
  }
}
