package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.transport.frame.StreamFrameReader;
import java.io.EOFException;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing (Jazzer) of the pipe's frame reader, checked against {@link FrameModel}: the same frames,
 * then a clean end, an {@link EOFException} for a cut stream, or the documented {@link ProtocolException}s.
 *
 * <pre>
 * input:  +--------+------------------------------+
 *         | how    | the stream the peer wrote    |
 *         +--------+------------------------------+
 * how:    bits 0-5 read size in bytes, 1..63 (0x3f: all of it in one read)
 *         bit 6    ask hasWholeFrame() before each frame, and hold it to its word: true means no read follows
 * </pre>
 *
 * <p>The reader may size its buffer by an announced length before the body arrives, but only up to the limit: its
 * buffer never exceeds {@code CAP + 8} bytes (nor the initial 64 KiB), and the thread's allocation stays within one
 * such buffer plus a bound linear in the input. Regression runs replay {@code StreamFrameReaderJazzerTestInputs/}.
 */
class StreamFrameReaderJazzerTest {
  /** Above the reader's initial 64 KiB, so announced lengths between the two make it grow its buffer. */
  private static final int CAP = 256 * 1024;
  private static final int INITIAL_BUFFER = 64 * 1024;
  /** The reader's initial buffer and the test's own bookkeeping. */
  private static final long FIXED_ALLOCATION = INITIAL_BUFFER + 256 * 1024;
  /** At worst a read and an empty frame per input byte. */
  private static final long ALLOCATION_PER_BYTE = 1024;

  @FuzzTest(maxDuration = "2m")
  void readsLikeTheModel(byte[] input) throws Exception {
    if (input.length == 0) {
      return;
    }
    boolean askWhole = (input[0] & 0x40) != 0;
    FuzzLimits.Measured<Run> measured = FuzzLimits.run(() -> read(input, ChunkedInput.readSize(input[0]), askWhole));
    Run run = measured.value();
    FrameModel.Decoded model = FrameModel.decode(input, 1, CAP);

    assertThat(run.frames).as("frames out").hasSameSizeAs(model.frames());
    for (int i = 0; i < run.frames.size(); i++) {
      assertThat(run.frames.get(i)).as("body %d", i).isEqualTo(model.frames().get(i));
    }
    switch (model.end()) {
      case CLEAN -> assertThat(run.failure).as("failure after a clean end").isNull();
      case PARTIAL_PREFIX, PARTIAL_BODY -> assertThat(run.failure).isExactlyInstanceOf(EOFException.class)
          .hasMessageContaining("fuzz peer");
      case TOO_LARGE -> {
        assertThat(run.failure).isInstanceOf(FrameTooLargeException.class).hasMessageContaining("fuzz peer");
        assertThat(((FrameTooLargeException) run.failure).announcedBytes()).isEqualTo(model.announced());
      }
      case MALFORMED_PREFIX -> {
        assertThat(run.failure).isExactlyInstanceOf(ProtocolException.class).hasMessageContaining("fuzz peer");
        assertThat(((ProtocolException) run.failure).code()).isEqualTo(ErrorCode.ERROR_CODE_MALFORMED_FRAME);
      }
    }
    assertThat(run.largestBuffer).as("largest buffer the reader held")
        .isLessThanOrEqualTo(Math.max(INITIAL_BUFFER, CAP + 8));
    assertThat(measured.allocatedBytes()).as("bytes the reading thread allocated for %d input bytes", input.length)
        .isLessThanOrEqualTo(FIXED_ALLOCATION + (CAP + 8) + ALLOCATION_PER_BYTE * input.length);
  }

  private record Run(List<byte[]> frames, Exception failure, int largestBuffer) {}

  private static Run read(byte[] input, int readSize, boolean askWhole) {
    ChunkedInput in = new ChunkedInput(input, 1, readSize);
    StreamFrameReader reader = new StreamFrameReader(in, CAP, "fuzz peer");
    List<byte[]> frames = new ArrayList<>();
    int largest = reader.buffer().length;
    Exception failure = null;
    try {
      // Each next() consumes at least one byte, so the stream bounds the loop; the cap is a second guard.
      for (int i = 0; i <= input.length; i++) {
        boolean whole = askWhole && reader.hasWholeFrame();
        int readsBefore = in.reads();
        boolean more = reader.next();
        largest = Math.max(largest, reader.buffer().length);
        if (whole) {
          assertThat(more).as("a frame after hasWholeFrame() said one is buffered").isTrue();
          assertThat(in.reads()).as("reads for a frame hasWholeFrame() said is buffered").isEqualTo(readsBefore);
        }
        if (!more) {
          return new Run(frames, null, largest);
        }
        assertThat(reader.bodyLength()).isLessThanOrEqualTo(CAP);
        frames.add(reader.bodyCopy());
      }
      fail("more frames than input bytes");
    } catch (java.io.IOException e) {
      failure = e;
    }
    return new Run(frames, failure, Math.max(largest, reader.buffer().length));
  }
}
