package dev.ipclab.transport;

import dev.ipclab.proto.v1.ErrorCode;

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
            + " if frames this large are intended.");
    this.announcedBytes = announcedBytes;
    this.maxFrameBytes = maxFrameBytes;
  }

  public long announcedBytes() {
    return announcedBytes;
  }

  public int maxFrameBytes() {
    return maxFrameBytes;
  }
}
