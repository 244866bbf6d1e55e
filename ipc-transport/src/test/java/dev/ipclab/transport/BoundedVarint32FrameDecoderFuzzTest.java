package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.transport.frame.BoundedVarint32FrameDecoder;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Property-based fuzzing of the Netty frame decoder: arbitrary and almost-valid bytes, cut at arbitrary points.
 * Whatever arrives, it fails only with the documented protocol errors, emits no frame over the limit, never asks
 * the allocator for a buffer sized by an announced length, and returns from every read.
 */
class BoundedVarint32FrameDecoderFuzzTest {
  private static final int CAP = 256;
  private static final Set<ErrorCode> DOCUMENTED =
      Set.of(ErrorCode.ERROR_CODE_MALFORMED_FRAME, ErrorCode.ERROR_CODE_FRAME_TOO_LARGE);

  @Property(tries = 1500)
  void noiseFailsOnlyWithProtocolErrorsAndNeverOverAllocates(
      @ForAll("noise") byte[] input, @ForAll("chunks") List<Integer> chunks) {
    feed(input, chunks);
  }

  @Property(tries = 1500)
  void almostValidFramesFailOnlyWithProtocolErrorsAndNeverOverAllocate(
      @ForAll("almostValid") byte[] input, @ForAll("chunks") List<Integer> chunks) {
    Result result = feed(input, chunks);
    Statistics.label("outcome").collect(result.error == null ? "accepted" : result.error.code().name());
    // The generator must reach every outcome, or this property proves less than it claims.
    Statistics.label("outcome").coverage(c -> {
      c.check("accepted").percentage(p -> p > 2);
      c.check("ERROR_CODE_FRAME_TOO_LARGE").percentage(p -> p > 2);
      c.check("ERROR_CODE_MALFORMED_FRAME").percentage(p -> p > 0.1);
    });
  }

  @Property(tries = 500)
  void validFramesComeOutExactlyHoweverTheyAreCut(
      @ForAll("bodies") List<byte[]> bodies, @ForAll("chunks") List<Integer> chunks) {
    Result result = feed(FuzzBytes.framed(bodies), chunks);
    assertThat(result.error).isNull();
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

  private record Result(List<byte[]> frames, ProtocolException error) {}

  private static Result feed(byte[] input, List<Integer> chunks) {
    return assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      RecordingAllocator alloc = new RecordingAllocator();
      EmbeddedChannel ch = new EmbeddedChannel();
      ch.config().setAllocator(alloc);
      ch.pipeline().addLast(new BoundedVarint32FrameDecoder(CAP, () -> "fuzz peer"));
      List<byte[]> frames = new ArrayList<>();
      ProtocolException error = null;
      try {
        for (byte[] chunk : FuzzBytes.split(input, chunks)) {
          try {
            ch.writeInbound(Unpooled.wrappedBuffer(chunk));
          } catch (DecoderException e) {
            assertThat(error).as("a second error after the stream was condemned").isNull();
            assertThat(e.getCause()).isInstanceOf(ProtocolException.class);
            error = (ProtocolException) e.getCause();
            assertThat(error.code()).isIn(DOCUMENTED);
            assertThat(error.getMessage()).contains("fuzz peer");
          }
          for (ByteBuf frame; (frame = ch.readInbound()) != null; ) {
            try {
              assertThat(frame.readableBytes()).isLessThanOrEqualTo(CAP);
              byte[] body = new byte[frame.readableBytes()];
              frame.readBytes(body);
              frames.add(body);
            } finally {
              frame.release();
            }
          }
        }
      } finally {
        ch.finishAndReleaseAll();
      }
      // Buffers grow with the bytes that arrived, never with the length a prefix announced (up to 2^32 here).
      assertThat(alloc.largestRequest).as("largest buffer asked for")
          .isLessThanOrEqualTo(2L * (input.length + CAP) + 1024);
      return new Result(frames, error);
    });
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
