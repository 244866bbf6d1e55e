package dev.ipclab.parent.control;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import dev.ipclab.transport.frame.Frames;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Reads and writes control frames: the varint length prefix of {@code writeDelimitedTo}, with the length checked
 * against a cap before a byte of the body is allocated.
 *
 * <pre>
 *   ┌──────────────┬───────────────────────────┐
 *   │ varint: 0x0A │ 10 bytes of ControlRequest │
 *   └──────────────┴───────────────────────────┘
 * </pre>
 */
public final class ControlFraming {
  /** The largest request a parent reads: requests are tiny, so anything near this is not a control client. */
  public static final int MAX_REQUEST_BYTES = 64 * 1024;
  /** The largest reply a client reads: a snapshot of 256 workers is a few tens of KiB. */
  public static final int MAX_REPLY_BYTES = 16 * 1024 * 1024;

  private ControlFraming() {}

  /** Reads one frame; null on a clean end of stream before its first byte. */
  public static <T extends MessageLite> T read(InputStream in, Parser<T> parser, int maxBytes, String peer)
      throws IOException {
    int first = in.read();
    if (first < 0) {
      return null;
    }
    long length = readLength(first, in, peer);
    if (length > maxBytes) {
      throw new IOException("a control frame of " + length + " bytes from " + peer
          + " exceeds the limit of " + Frames.describeBytes(maxBytes) + "; is that an ipclab control client?");
    }
    byte[] body = in.readNBytes((int) length);
    if (body.length < length) {
      throw new EOFException(peer + " closed the control connection in the middle of a frame (" + body.length
          + " of " + length + " bytes)");
    }
    return parser.parseFrom(body);
  }

  /**
   * The rest of a length prefix whose first byte is {@code first}, decoded as every ipclab reader decodes it (see
   * {@link Frames}): at most five bytes, unsigned, never truncated. Protobuf's {@code readRawVarint32} keeps only the
   * low 32 bits of a longer value, so a prefix announcing 4 GiB + 2 bytes would read as a 2-byte frame.
   */
  private static long readLength(int first, InputStream in, String peer) throws IOException {
    long length = first & 0x7f;
    for (int i = 1, b = first; (b & 0x80) != 0; i++) {
      if (i == Frames.MAX_VARINT32_BYTES) {
        throw new InvalidProtocolBufferException("the length prefix from " + peer + " is not a varint32: it is"
            + " longer than " + Frames.MAX_VARINT32_BYTES + " bytes");
      }
      b = in.read();
      if (b < 0) {
        throw new InvalidProtocolBufferException("the length prefix from " + peer + " is not a varint: the"
            + " stream ended after " + i + " of its bytes");
      }
      length |= (long) (b & 0x7f) << (7 * i);
    }
    return length;
  }

  /** Writes one frame and flushes. */
  public static void write(MessageLite message, OutputStream out) throws IOException {
    message.writeDelimitedTo(out);
    out.flush();
  }
}
