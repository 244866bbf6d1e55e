package dev.ipclab.transport;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Byte streams for fuzzing the frame decoders: plain noise, and "almost valid" streams (real frames, then bytes
 * flipped, cut, inserted or a prefix swapped for a huge one), which reach deeper than noise ever does.
 */
final class FuzzBytes {
  private FuzzBytes() {}

  /** Any bytes at all, up to {@code maxBytes}. */
  static Arbitrary<byte[]> noise(int maxBytes) {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxBytes);
  }

  /** Up to 8 well-formed frames whose bodies are at most {@code maxBody} bytes. */
  static Arbitrary<List<byte[]>> bodies(int maxBody) {
    return noise(maxBody).list().ofMaxSize(8);
  }

  /** Valid frames with one to four mutations applied. */
  static Arbitrary<byte[]> almostValid(int maxBody) {
    Arbitrary<Mutation> mutation = Combinators.combine(
        Arbitraries.of(MutationKind.class), Arbitraries.integers().between(0, Integer.MAX_VALUE),
        Arbitraries.bytes()).as(Mutation::new);
    return Combinators.combine(bodies(maxBody), mutation.list().ofMinSize(1).ofMaxSize(4))
        .as((bodies, mutations) -> {
          byte[] bytes = framed(bodies);
          for (Mutation m : mutations) {
            bytes = m.apply(bytes);
          }
          return bytes;
        });
  }

  /** Where to cut a stream into reads: chunk sizes, cycled. */
  static Arbitrary<List<Integer>> chunkSizes() {
    return Arbitraries.integers().between(1, 64).list().ofMinSize(1).ofMaxSize(16);
  }

  /** Cuts {@code bytes} into consecutive chunks of the given sizes (cycled). */
  static List<byte[]> split(byte[] bytes, List<Integer> sizes) {
    List<byte[]> chunks = new ArrayList<>();
    int at = 0;
    for (int i = 0; at < bytes.length; i++) {
      int n = Math.min(sizes.get(i % sizes.size()), bytes.length - at);
      chunks.add(java.util.Arrays.copyOfRange(bytes, at, at + n));
      at += n;
    }
    return chunks;
  }

  static byte[] framed(List<byte[]> bodies) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] body : bodies) {
      writeVarint(out, body.length);
      out.writeBytes(body);
    }
    return out.toByteArray();
  }

  static void writeVarint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }

  enum MutationKind { FLIP, TRUNCATE, INSERT, HUGE_PREFIX, DUPLICATE_TAIL }

  /** One change to a byte stream, at {@code position} modulo its length. */
  record Mutation(MutationKind kind, int position, byte value) {
    byte[] apply(byte[] in) {
      int at = in.length == 0 ? 0 : position % in.length;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      switch (kind) {
        case FLIP -> {
          byte[] copy = in.clone();
          if (copy.length > 0) {
            copy[at] ^= (byte) (value == 0 ? 1 : value);
          }
          return copy;
        }
        case TRUNCATE -> {
          return java.util.Arrays.copyOf(in, at);
        }
        case INSERT -> {
          out.write(in, 0, at);
          out.write(value);
          out.write(in, at, in.length - at);
        }
        case HUGE_PREFIX -> {
          // A frame announcing up to 2^32 - 1 bytes (2 GiB and more) where a frame could start.
          out.write(in, 0, at);
          writeVarint(out, (1L << 31) + (position & 0x7fffffffL));
          out.write(in, at, in.length - at);
        }
        case DUPLICATE_TAIL -> {
          out.write(in, 0, in.length);
          out.write(in, at, in.length - at);
        }
      }
      return out.toByteArray();
    }
  }
}
