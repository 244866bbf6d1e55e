package dev.ipclab.transport;

import dev.ipclab.transport.frame.Frames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The framing of {@link Frames}, decoded the plain and slow way: the answer every frame reader must agree with,
 * whatever the bytes and however they are cut into reads.
 */
public final class FrameModel {
  private FrameModel() {}

  /** How a stream ends after its last whole frame. */
  public enum End {
    /** Between frames: nothing left over. */
    CLEAN,
    /** Inside a length prefix. */
    PARTIAL_PREFIX,
    /** Inside a body whose length was within the limit. */
    PARTIAL_BODY,
    /** A prefix announced more than the limit ({@link Decoded#announced}). */
    TOO_LARGE,
    /** A sixth prefix byte followed five with the continuation bit: not a varint32. */
    MALFORMED_PREFIX
  }

  /** The whole frames in order, then how the stream ended. */
  public record Decoded(List<byte[]> frames, End end, long announced) {}

  /** Decodes {@code stream[from..]} with frame limit {@code maxFrameBytes}. */
  public static Decoded decode(byte[] stream, int from, int maxFrameBytes) {
    List<byte[]> frames = new ArrayList<>();
    int at = from;
    while (true) {
      if (at == stream.length) {
        return new Decoded(frames, End.CLEAN, 0);
      }
      long length = 0;
      int p = at;
      for (int i = 0; ; i++) {
        if (p == stream.length) {
          return new Decoded(frames, End.PARTIAL_PREFIX, 0);
        }
        if (i == Frames.MAX_VARINT32_BYTES) {
          return new Decoded(frames, End.MALFORMED_PREFIX, 0);
        }
        int b = stream[p++] & 0xff;
        length |= (long) (b & 0x7f) << (7 * i);
        if (b < 0x80) {
          break;
        }
      }
      if (length > maxFrameBytes) {
        return new Decoded(frames, End.TOO_LARGE, length);
      }
      if (stream.length - p < length) {
        return new Decoded(frames, End.PARTIAL_BODY, length);
      }
      frames.add(Arrays.copyOfRange(stream, p, p + (int) length));
      at = p + (int) length;
    }
  }
}
