package dev.ipclab.parent.control;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import dev.ipclab.transport.Frames;
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
    int length;
    try {
      length = CodedInputStream.readRawVarint32(first, in);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidProtocolBufferException("the length prefix from " + peer + " is not a varint: "
          + e.getMessage());
    }
    if (length < 0 || length > maxBytes) {
      throw new IOException("a control frame of " + Integer.toUnsignedString(length) + " bytes from " + peer
          + " exceeds the limit of " + Frames.describeBytes(maxBytes) + "; is that an ipclab control client?");
    }
    byte[] body = in.readNBytes(length);
    if (body.length < length) {
      throw new EOFException(peer + " closed the control connection in the middle of a frame (" + body.length
          + " of " + length + " bytes)");
    }
    return parser.parseFrom(body);
  }

  /** Writes one frame and flushes. */
  public static void write(MessageLite message, OutputStream out) throws IOException {
    message.writeDelimitedTo(out);
    out.flush();
  }
}
