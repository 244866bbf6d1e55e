package dev.ipclab.transport.frame;

import com.google.protobuf.CodedOutputStream;
import dev.ipclab.transport.FrameTooLargeException;

/**
 * The one framing every ipclab transport uses: a base-128 varint length, then that many bytes of protobuf.
 *
 * <pre>
 * BEFORE FRAMING (one envelope, 300 bytes)     AFTER FRAMING (302 bytes on the wire)
 * +---------------------------+                +--------+---------------------------+
 * | protobuf envelope bytes   |   -------->    | AC 02  | protobuf envelope bytes   |
 * |        (300 bytes)        |                | varint |        (300 bytes)        |
 * +---------------------------+                +--------+---------------------------+
 * </pre>
 *
 * <p>These are exactly the bytes of {@code MessageLite.writeDelimitedTo} and of Netty's
 * {@code ProtobufVarint32LengthFieldPrepender}. A reader must check the announced length against the
 * frame limit <em>before</em> it allocates anything: a peer that announces 2 GiB must cost nothing.
 */
public final class Frames {
  /** The default cap on one frame's body, 16 MiB. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

  /** A varint32 never takes more than five bytes; a sixth continuation bit means the stream is corrupt. */
  public static final int MAX_VARINT32_BYTES = 5;

  private Frames() {}

  /**
   * Rejects a frame length before anything is allocated for it.
   *
   * @param length the announced body length in bytes, decoded as unsigned (up to 2^35 - 1)
   * @param maxFrameBytes the limit in bytes
   * @param peer who announced it, for the message
   */
  public static void checkLength(long length, int maxFrameBytes, String peer) throws FrameTooLargeException {
    if (length > maxFrameBytes) {
      throw new FrameTooLargeException(length, maxFrameBytes, peer);
    }
  }

  /** How many bytes the length prefix of a body of {@code bodyBytes} takes. */
  public static int prefixBytes(int bodyBytes) {
    return CodedOutputStream.computeUInt32SizeNoTag(bodyBytes);
  }

  /** Renders a size for people: {@code 16777216 bytes (16.0 MiB)}. */
  public static String describeBytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " bytes";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(java.util.Locale.ROOT, "%d bytes (%.1f %s)", bytes, value, units[unit]);
  }
}
