package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.transport.frame.StreamFrameReader;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Property-based fuzzing of the pipe's frame reader: arbitrary and almost-valid bytes, delivered in reads of
 * arbitrary sizes. It ends with frames no larger than the limit, then a clean end, an EOFException or a documented
 * protocol error; nothing else, and never a hang.
 */
class StreamFrameReaderFuzzTest {
  private static final int CAP = 256;

  @Property(tries = 1500)
  void noiseEndsCleanlyOrWithADocumentedError(@ForAll("noise") byte[] input, @ForAll("chunks") List<Integer> chunks) {
    read(input, chunks);
  }

  @Property(tries = 1500)
  void almostValidFramesEndCleanlyOrWithADocumentedError(
      @ForAll("almostValid") byte[] input, @ForAll("chunks") List<Integer> chunks) {
    String outcome = read(input, chunks).outcome;
    Statistics.label("outcome").collect(outcome);
    Statistics.label("outcome").coverage(c -> {
      c.check("end").percentage(p -> p > 2);
      c.check("ERROR_CODE_FRAME_TOO_LARGE").percentage(p -> p > 2);
      c.check("EOFException").percentage(p -> p > 2);
    });
  }

  @Property(tries = 500)
  void validFramesComeOutExactlyHoweverTheyAreCut(
      @ForAll("bodies") List<byte[]> bodies, @ForAll("chunks") List<Integer> chunks) {
    Result result = read(FuzzBytes.framed(bodies), chunks);
    assertThat(result.outcome).isEqualTo("end");
    assertThat(result.frames).hasSameSizeAs(bodies);
    for (int i = 0; i < bodies.size(); i++) {
      assertThat(result.frames.get(i)).isEqualTo(bodies.get(i));
    }
  }

  @Provide
  Arbitrary<byte[]> noise() {
    return FuzzBytes.noise(2048);
  }

  @Provide
  Arbitrary<byte[]> almostValid() {
    return FuzzBytes.almostValid(CAP + 8);
  }

  @Provide
  Arbitrary<List<byte[]>> bodies() {
    return FuzzBytes.bodies(CAP);
  }

  @Provide
  Arbitrary<List<Integer>> chunks() {
    return FuzzBytes.chunkSizes();
  }

  private record Result(List<byte[]> frames, String outcome) {}

  private static Result read(byte[] input, List<Integer> chunks) {
    return assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      StreamFrameReader reader = new StreamFrameReader(new ChunkedStream(input, chunks), CAP, "fuzz peer");
      List<byte[]> frames = new ArrayList<>();
      // Each frame consumes at least one byte, so more frames than bytes would mean a loop that reads nothing.
      for (int i = 0; i <= input.length; i++) {
        byte[] frame;
        try {
          frame = reader.next() ? reader.bodyCopy() : null;
        } catch (ProtocolException e) {
          assertThat(e.code()).isIn(ErrorCode.ERROR_CODE_MALFORMED_FRAME, ErrorCode.ERROR_CODE_FRAME_TOO_LARGE);
          assertThat(e.getMessage()).contains("fuzz peer");
          return new Result(frames, e.code().name());
        } catch (EOFException e) {
          assertThat(e.getMessage()).contains("fuzz peer", "ended");
          return new Result(frames, "EOFException");
        }
        if (frame == null) {
          return new Result(frames, "end");
        }
        assertThat(frame.length).isLessThanOrEqualTo(CAP);
        frames.add(frame);
      }
      throw new AssertionError("more frames than input bytes (" + input.length + "): the reader loops");
    });
  }

  /** A stream that hands out its bytes in reads of the given sizes, as a pipe does under load. */
  private static final class ChunkedStream extends InputStream {
    private final ByteArrayInputStream in;
    private final List<Integer> sizes;
    private int next;

    ChunkedStream(byte[] bytes, List<Integer> sizes) {
      this.in = new ByteArrayInputStream(bytes);
      this.sizes = sizes;
    }

    @Override
    public int read() {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = Math.min(len, sizes.get(next++ % sizes.size()));
      return in.read(b, off, n);
    }
  }
}
