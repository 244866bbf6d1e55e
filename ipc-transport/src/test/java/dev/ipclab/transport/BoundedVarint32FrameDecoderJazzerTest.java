package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.frame.BoundedVarint32FrameDecoder;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing (Jazzer) of the Netty frame decoder in an {@link EmbeddedChannel}, checked against
 * {@link FrameModel}: the same frames in the same order, then the same ending, however the bytes are cut.
 *
 * <pre>
 * input:  +--------+------------------------------+
 *         | how    | the stream the peer sent     |
 *         +--------+------------------------------+
 * how:    bits 0-5 read size in bytes, 1..63 (0x3f: the whole stream in one read)
 *         bit 6    parse each frame as a WorkerEnvelope (the pipeline's mode) instead of passing the body on
 *         bit 7    deliver each read in a direct buffer, as epoll does (the decoder then copies)
 * </pre>
 *
 * <p>Beyond agreeing with the model, the only failures are {@link FrameTooLargeException} and the other
 * {@link ProtocolException}s (a parse failure is classified as a malformed frame), one per channel; no buffer is
 * asked for by an announced length, and the thread's allocation stays linear in the bytes that arrived. Regression
 * runs replay {@code BoundedVarint32FrameDecoderJazzerTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes (docs/security.md).
 */
class BoundedVarint32FrameDecoderJazzerTest {
  private static final int CAP = 1024;
  /** An EmbeddedChannel and its pipeline. */
  private static final long FIXED_ALLOCATION = 256 * 1024;
  /**
   * Per input byte: at worst each byte is a read of its own and ends an empty frame (about 400 bytes measured for
   * the buffer, the slice or message, and the channel's bookkeeping). A 2 GiB prefix costs the same as any 5 bytes.
   */
  private static final long ALLOCATION_PER_BYTE = 1024;

  @FuzzTest(maxDuration = "2m")
  void decodesLikeTheModel(byte[] input) throws Exception {
    if (input.length == 0) {
      return;
    }
    int how = input[0] & 0xff;
    int readSize = (how & 0x3f) == 0x3f ? Integer.MAX_VALUE : (how & 0x3f) + 1;
    boolean parse = (how & 0x40) != 0;
    boolean direct = (how & 0x80) != 0;
    FuzzLimits.Measured<Run> measured = FuzzLimits.run(() -> feed(input, readSize, parse, direct));
    Run run = measured.value();

    FrameModel.Decoded model = FrameModel.decode(input, 1, CAP);
    List<Object> expected = new ArrayList<>();
    Class<?> expectedFailure = switch (model.end()) {
      case CLEAN, PARTIAL_PREFIX, PARTIAL_BODY -> null;
      case TOO_LARGE -> FrameTooLargeException.class;
      case MALFORMED_PREFIX -> ProtocolException.class;
    };
    for (byte[] body : model.frames()) {
      if (!parse) {
        expected.add(body);
        continue;
      }
      try {
        expected.add(WorkerEnvelope.parseFrom(body));
      } catch (InvalidProtocolBufferException e) {
        expectedFailure = InvalidProtocolBufferException.class; // the decoder stops at the first bad frame
        break;
      }
    }

    assertThat(run.frames).as("frames out").hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      if (parse) {
        assertThat(run.frames.get(i)).as("envelope %d", i).isEqualTo(expected.get(i));
      } else {
        assertThat((byte[]) run.frames.get(i)).as("body %d", i).isEqualTo((byte[]) expected.get(i));
      }
    }
    if (expectedFailure == null) {
      assertThat(run.failure).as("failure").isNull();
    } else {
      assertThat(run.failure).as("failure").isInstanceOf(expectedFailure);
      ProtocolException classified = ProtocolException.from(run.failure, "fuzz peer");
      assertThat(classified.code()).isIn(ErrorCode.ERROR_CODE_MALFORMED_FRAME, ErrorCode.ERROR_CODE_FRAME_TOO_LARGE);
      if (run.failure instanceof ProtocolException pe) {
        assertThat(pe.getMessage()).contains("fuzz peer");
      }
      if (run.failure instanceof FrameTooLargeException tooLarge) {
        assertThat(tooLarge.announcedBytes()).isEqualTo(model.announced());
        assertThat(tooLarge.code()).isEqualTo(ErrorCode.ERROR_CODE_FRAME_TOO_LARGE);
      } else if (run.failure instanceof ProtocolException pe) {
        assertThat(pe.code()).isEqualTo(ErrorCode.ERROR_CODE_MALFORMED_FRAME);
      }
    }
    // Refused before allocating: buffers follow the bytes that arrived, never a length a prefix announced.
    assertThat(run.largestBufferRequest).as("largest buffer asked of the allocator")
        .isLessThanOrEqualTo(2L * input.length + 1024);
    assertThat(measured.allocatedBytes()).as("bytes the decoding thread allocated for %d input bytes", input.length)
        .isLessThanOrEqualTo(FIXED_ALLOCATION + ALLOCATION_PER_BYTE * input.length);
  }

  /** The frames that came out, the one failure (unwrapped from Netty's DecoderException) and the allocator's peak. */
  private record Run(List<Object> frames, Throwable failure, long largestBufferRequest) {}

  private static Run feed(byte[] input, int readSize, boolean parse, boolean direct) {
    RecordingAllocator alloc = new RecordingAllocator();
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.config().setAllocator(alloc);
    MessageLite prototype = parse ? WorkerEnvelope.getDefaultInstance() : null;
    ch.pipeline().addLast(new BoundedVarint32FrameDecoder(CAP, () -> "fuzz peer", prototype));
    List<Object> frames = new ArrayList<>();
    Throwable failure = null;
    try {
      for (int at = 1; at < input.length; ) {
        int n = Math.min(readSize, input.length - at);
        ByteBuf read = direct ? Unpooled.directBuffer(n).writeBytes(input, at, n)
            : Unpooled.wrappedBuffer(input, at, n);
        at += n;
        try {
          ch.writeInbound(read);
        } catch (DecoderException e) {
          assertThat(failure).as("a second failure after the stream was condemned").isNull();
          failure = e.getCause();
        }
        for (Object frame; (frame = ch.readInbound()) != null; ) {
          frames.add(frame instanceof ByteBuf buf ? body(buf) : frame);
        }
      }
      assertThat(ch.finish()).as("frames left behind after the last read").isFalse();
    } finally {
      ch.finishAndReleaseAll();
    }
    return new Run(frames, failure, alloc.largestRequest);
  }

  private static byte[] body(ByteBuf frame) {
    try {
      assertThat(frame.readableBytes()).isLessThanOrEqualTo(CAP);
      byte[] body = new byte[frame.readableBytes()];
      frame.readBytes(body);
      return body;
    } finally {
      frame.release();
    }
  }

  /** Remembers the largest capacity anyone asked it for. */
  private static final class RecordingAllocator extends AbstractByteBufAllocator {
    private final UnpooledByteBufAllocator delegate = new UnpooledByteBufAllocator(false);
    long largestRequest;

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
      largestRequest = Math.max(largestRequest, initialCapacity);
      return delegate.heapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
      largestRequest = Math.max(largestRequest, initialCapacity);
      return delegate.directBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
      return false;
    }
  }
}
