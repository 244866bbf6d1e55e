package dev.ipclab.transport;

import dev.ipclab.proto.v1.ErrorCode;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** Reads varint-length-prefixed frames (see {@link Frames}) from a blocking stream, checking each length first. */
final class StreamFrameReader {
  private final InputStream in;
  private final int maxFrameBytes;
  private final String peer;

  StreamFrameReader(InputStream in, int maxFrameBytes, String peer) {
    this.in = in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 64 * 1024);
    this.maxFrameBytes = maxFrameBytes;
    this.peer = peer;
  }

  /** The next frame's body, or null at a clean end of stream (between frames). */
  byte[] next() throws IOException {
    long length = 0;
    int shift = 0;
    for (int i = 0; ; i++) {
      int b = in.read();
      if (b < 0) {
        if (i == 0) {
          return null;
        }
        throw new EOFException("stream from " + peer + " ended inside a frame's length prefix");
      }
      if (i == Frames.MAX_VARINT32_BYTES) {
        throw new ProtocolException(
            ErrorCode.ERROR_CODE_MALFORMED_FRAME,
            "frame from " + peer + " starts with a length prefix longer than " + Frames.MAX_VARINT32_BYTES
                + " bytes; these bytes are not ipclab frames. Did something else write to this stream,"
                + " for example a print to stdout?");
      }
      length |= (long) (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) == 0) {
        break;
      }
    }
    Frames.checkLength(length, maxFrameBytes, peer);
    byte[] body = in.readNBytes((int) length);
    if (body.length < length) {
      throw new EOFException("stream from " + peer + " ended after " + body.length + " of the "
          + length + " bytes its frame announced");
    }
    return body;
  }
}
