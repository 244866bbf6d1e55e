package dev.ipclab.transport.shm;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.transport.ChunkedInput;
import dev.ipclab.transport.FrameModel;
import dev.ipclab.transport.FrameTooLargeException;
import dev.ipclab.transport.FuzzLimits;
import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.ProtocolException;
import dev.ipclab.transport.frame.StreamFrameReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing (Jazzer) of the shared-memory ring's reading side: the frame reader over a
 * {@link ShmRingInput}, in block mode, fed through the ring's producer side, and optionally with the ring's shared
 * counters overwritten, as a broken or hostile peer that maps the same file can do.
 *
 * <pre>
 * input:  +-----+------+------------------------+------------------------------+
 *         | how | ring | head, tail deltas      | the stream the peer wrote    |
 *         |     |      | (16 bytes, if bit 6)   |                              |
 *         +-----+------+------------------------+------------------------------+
 * how:    bits 0-5 bytes the producer publishes per wake-up, 1..63 (0x3f: as many as fit)
 *         bit 6    after the first publish, add the two little-endian longs to the ring's head and tail
 * ring:   capacity 2^(6 + (ring &amp; 7)) bytes, 64 B..8 KiB: streams wrap around many times
 * </pre>
 *
 * <p>The producer runs in the reader's doorbell: whenever the reader is about to sleep, one more piece of the stream
 * is published. With intact counters the reader must agree with {@link FrameModel}. With overwritten ones it may
 * read garbage, but it still fails only with the documented exceptions ({@link ProtocolException},
 * {@link EOFException}), never holds a buffer over the frame limit, and returns. Regression runs replay
 * {@code ShmRingJazzerTestInputs/}.
 */
class ShmRingJazzerTest {
  private static final int CAP = 256 * 1024;
  private static final int INITIAL_BUFFER = 64 * 1024;
  private static final long FIXED_ALLOCATION = INITIAL_BUFFER + 256 * 1024;
  private static final long ALLOCATION_PER_BYTE = 1024;
  /** Offsets of the consumer's and producer's counters in a ring's control block (see {@link ShmRing}). */
  private static final long HEAD = 0;
  private static final long TAIL = 64;

  @FuzzTest(maxDuration = "2m")
  void readsWhatTheProducerWrote(byte[] input) throws Exception {
    if (input.length < 2) {
      return;
    }
    int publish = ChunkedInput.readSize(input[0]);
    boolean corrupt = (input[0] & 0x40) != 0;
    int capacity = 1 << (6 + (input[1] & 7));
    int from = 2;
    long headDelta = 0;
    long tailDelta = 0;
    if (corrupt) {
      if (input.length < from + 16) {
        return;
      }
      ByteBuffer deltas = ByteBuffer.wrap(input, from, 16).order(ByteOrder.LITTLE_ENDIAN);
      headDelta = deltas.getLong();
      tailDelta = deltas.getLong();
      from += 16;
    }
    int start = from;
    long head = headDelta;
    long tail = tailDelta;
    FuzzLimits.Measured<Run> measured = FuzzLimits.run(() -> read(input, start, publish, capacity, head, tail));
    Run run = measured.value();

    if (run.producerFailure != null) {
      throw new AssertionError("the ring's producer side failed on the counters it found", run.producerFailure);
    }
    if (run.failure != null && !(run.failure instanceof EOFException)) {
      assertThat(run.failure).as("failure").isInstanceOf(ProtocolException.class).hasMessageContaining("fuzz peer");
    }
    assertThat(run.largestBuffer).as("largest buffer the reader held")
        .isLessThanOrEqualTo(Math.max(INITIAL_BUFFER, CAP + 8));
    assertThat(measured.allocatedBytes()).as("bytes the reading thread allocated for %d input bytes", input.length)
        .isLessThanOrEqualTo(FIXED_ALLOCATION + capacity + (CAP + 8) + ALLOCATION_PER_BYTE * input.length);
    if (run.corrupted) {
      return; // garbage in: only the bounds above hold
    }
    FrameModel.Decoded model = FrameModel.decode(input, start, CAP);
    assertThat(run.frames).as("frames out").hasSameSizeAs(model.frames());
    for (int i = 0; i < run.frames.size(); i++) {
      assertThat(run.frames.get(i)).as("body %d", i).isEqualTo(model.frames().get(i));
    }
    switch (model.end()) {
      case CLEAN -> assertThat(run.failure).as("failure after a clean end").isNull();
      case PARTIAL_PREFIX, PARTIAL_BODY -> assertThat(run.failure).isExactlyInstanceOf(EOFException.class);
      case TOO_LARGE -> assertThat(run.failure).isInstanceOf(FrameTooLargeException.class);
      case MALFORMED_PREFIX -> {
        assertThat(run.failure).isExactlyInstanceOf(ProtocolException.class);
        assertThat(((ProtocolException) run.failure).code()).isEqualTo(ErrorCode.ERROR_CODE_MALFORMED_FRAME);
      }
    }
  }

  private record Run(List<byte[]> frames, Exception failure, int largestBuffer, boolean corrupted,
      RuntimeException producerFailure) {}

  private static Run read(byte[] input, int from, int publish, int capacity, long headDelta, long tailDelta) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment control = arena.allocate(ShmRing.CONTROL_BYTES, 64);
      ShmRing ring = new ShmRing(control, arena.allocate(capacity, 64));
      Producer producer = new Producer(ring, control, input, from, publish, headDelta, tailDelta);
      ShmRingInput in = new ShmRingInput(ring, IdleStrategy.BLOCK, producer, "fuzz peer", "fuzz");
      StreamFrameReader reader = new StreamFrameReader(in, CAP, "fuzz peer");
      List<byte[]> frames = new ArrayList<>();
      int largest = reader.buffer().length;
      Exception failure = null;
      try {
        // Intact, each frame takes at least one byte of the stream. Overwritten counters can make the ring hand
        // out old bytes again and again, as a peer could send frames for ever: a bound, not a finding.
        for (int i = 0; i <= 4 * input.length + 64; i++) {
          boolean more = reader.next();
          largest = Math.max(largest, reader.buffer().length);
          if (!more) {
            break;
          }
          assertThat(reader.bodyLength()).isLessThanOrEqualTo(CAP);
          frames.add(reader.bodyCopy());
        }
      } catch (IOException e) {
        failure = e;
      } finally {
        in.close();
      }
      return new Run(frames, failure, Math.max(largest, reader.buffer().length), producer.corrupted,
          producer.failure);
    }
  }

  /**
   * The peer: the reader's doorbell. Each time the reader is about to block on it, it publishes the next piece of
   * the stream through the ring's producer side and rings once; at the end of the stream it closes the ring.
   */
  private static final class Producer extends InputStream {
    private final ShmRing ring;
    private final MemorySegment control;
    private final byte[] stream;
    private final int publish;
    private final long headDelta;
    private final long tailDelta;
    private int at;
    private boolean done;
    boolean corrupted;
    RuntimeException failure;

    Producer(ShmRing ring, MemorySegment control, byte[] stream, int from, int publish, long headDelta,
        long tailDelta) {
      this.ring = ring;
      this.control = control;
      this.stream = stream;
      this.at = from;
      this.publish = publish;
      this.headDelta = headDelta;
      this.tailDelta = tailDelta;
    }

    @Override
    public int read() {
      throw new UnsupportedOperationException("ShmRingInput reads its doorbell in blocks");
    }

    @Override
    public int read(byte[] chimes, int off, int len) {
      if (done) {
        return -1; // the peer is gone
      }
      int wrote = 0;
      if (at < stream.length) {
        try {
          wrote = ring.write(stream, at, Math.min(publish, stream.length - at));
        } catch (ProtocolException e) {
          assertThat(corrupted).as("the producer refused intact counters: " + e.getMessage()).isTrue();
          wrote = 0; // it saw the overwritten counters too, and stops writing: its transport closes
        } catch (RuntimeException e) {
          failure = e;
        }
        at += wrote;
      }
      if (!corrupted && (headDelta != 0 || tailDelta != 0)) {
        control.set(ValueLayout.JAVA_LONG, HEAD, control.get(ValueLayout.JAVA_LONG, HEAD) + headDelta);
        control.set(ValueLayout.JAVA_LONG, TAIL, control.get(ValueLayout.JAVA_LONG, TAIL) + tailDelta);
        corrupted = true;
      }
      if (wrote == 0) { // all written, or the ring looks full for ever: a real producer would wait; this one ends
        ring.closeWriter();
        done = true;
      }
      return 1;
    }
  }
}
