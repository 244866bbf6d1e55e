package dev.ipclab.transport.frame;

import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.transport.ProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads varint-length-prefixed frames (see {@link Frames}) from a blocking stream into one reused buffer, checking
 * each length first.
 *
 * <p>A frame's body is not copied out: after {@link #next} returns true it lies in {@link #buffer()} at
 * {@link #bodyOffset()}, {@link #bodyLength()} bytes long, until the next call. One read fills the buffer with as
 * many frames as the pipe holds (up to 8 KiB, or the whole of a larger frame), so a burst of small frames costs one
 * system call, and protobuf parses straight from the buffer. The buffer grows only for a frame larger than itself,
 * never past the limit.
 */
public final class StreamFrameReader {
  private static final int INITIAL_BYTES = 64 * 1024;
  /**
   * The most one read asks for unless a frame needs more: {@code FileInputStream}'s native read copies through a
   * stack buffer of 8 KiB, but mallocs and frees a temporary one for any larger request (the JDK's
   * {@code io_util.c}), which a profile of the pipe's round trip showed on every read.
   */
  private static final int READ_BYTES = 8 * 1024;

  private final InputStream in;
  private final int maxFrameBytes;
  private final String peer;
  private byte[] buf = new byte[INITIAL_BYTES];
  /** Unconsumed bytes are {@code buf[pos, limit)}. */
  private int pos;
  private int limit;
  private int bodyOffset;
  private int bodyLength;

  public StreamFrameReader(InputStream in, int maxFrameBytes, String peer) {
    this.in = in;
    this.maxFrameBytes = maxFrameBytes;
    this.peer = peer;
  }

  /** Reads the next frame; false at a clean end of stream (between frames). Blocks only if no whole frame is in. */
  public boolean next() throws IOException {
    if (pos == limit && buf.length > INITIAL_BYTES) {
      buf = new byte[INITIAL_BYTES]; // a huge frame has passed: do not keep its buffer for ever
      pos = 0;
      limit = 0;
    }
    if (pos == limit && !fill(1)) {
      return false;
    }
    long length = 0;
    int shift = 0;
    int at = pos;
    for (int i = 0; ; i++) {
      if (at == limit) {
        int read = at - pos;
        if (!fill(read + 1)) {
          throw new EOFException("stream from " + peer + " ended inside a frame's length prefix");
        }
        at = pos + read; // fill may have moved the unread bytes to the buffer's start
      }
      if (i == Frames.MAX_VARINT32_BYTES) {
        throw new ProtocolException(
            ErrorCode.ERROR_CODE_MALFORMED_FRAME,
            "frame from " + peer + " starts with a length prefix longer than " + Frames.MAX_VARINT32_BYTES
                + " bytes; these bytes are not ipclab frames. Did something else write to this stream,"
                + " for example a print to stdout?");
      }
      int b = buf[at++];
      length |= (long) (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) == 0) {
        break;
      }
    }
    Frames.checkLength(length, maxFrameBytes, peer);
    int prefix = at - pos;
    int body = (int) length;
    if (limit - pos < prefix + body && !fill(prefix + body)) {
      throw new EOFException("stream from " + peer + " ended after " + (limit - pos - prefix) + " of the "
          + length + " bytes its frame announced");
    }
    bodyOffset = pos + prefix;
    bodyLength = body;
    pos = bodyOffset + body;
    return true;
  }

  /** The buffer holding the current frame's body; valid until the next {@link #next}. */
  public byte[] buffer() {
    return buf;
  }

  public int bodyOffset() {
    return bodyOffset;
  }

  public int bodyLength() {
    return bodyLength;
  }

  /** A copy of the current body, for error messages and tests; the hot path reads {@link #buffer()} in place. */
  public byte[] bodyCopy() {
    return Arrays.copyOfRange(buf, bodyOffset, bodyOffset + bodyLength);
  }

  /**
   * Whether a whole frame is already buffered, so the next {@link #next} will not block. The transport flushes its
   * deferred replies before any read that may block: the peer may be waiting for them.
   */
  public boolean hasWholeFrame() {
    long length = 0;
    int shift = 0;
    for (int at = pos; at < limit && at - pos < Frames.MAX_VARINT32_BYTES; ) {
      int b = buf[at++];
      length |= (long) (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) == 0) {
        return limit - at >= length;
      }
    }
    return false;
  }

  /** Whether a read would find bytes at once: buffered here, or waiting in the OS channel. */
  public boolean readable() throws IOException {
    return pos < limit || in.available() > 0;
  }

  /** Reads until {@code need} bytes from {@code pos} are buffered; false if the stream ends first. */
  private boolean fill(int need) throws IOException {
    if (buf.length - pos < need) {
      byte[] target = buf.length < need ? new byte[Math.max(need, Math.min(buf.length * 2, maxFrameBytes + 8))] : buf;
      System.arraycopy(buf, pos, target, 0, limit - pos);
      limit -= pos;
      pos = 0;
      buf = target;
    }
    while (limit - pos < need) {
      int missing = need - (limit - pos);
      int n = in.read(buf, limit, Math.min(buf.length - limit, Math.max(READ_BYTES, missing)));
      if (n < 0) {
        return false;
      }
      limit += n;
    }
    return true;
  }
}
