package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.ErrorReply;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.Ping;
import dev.ipclab.proto.v1.Task;
import dev.ipclab.proto.v1.Welcome;
import dev.ipclab.transport.frame.BoundedVarint32FrameDecoder;
import dev.ipclab.transport.frame.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Property-based fuzzing of the decoder's envelope parsing: a frame body read from a direct buffer (parsed from a
 * private copy with aliasing) or a heap buffer (parsed in place) gives exactly what protobuf's own
 * {@code parseFrom(byte[])} makes of the same bytes, the same envelope or the same refusal.
 */
class FrameDecoderParseFuzzTest {
  private static final byte[][] VALID = {
      ParentEnvelope.newBuilder().setRequestId(3)
          .setPing(Ping.newBuilder().setPayload(ByteString.copyFromUtf8("forty bytes of ping payload, more or less"))
              .setParentSendNanos(123_456_789L))
          .build().toByteArray(),
      ParentEnvelope.newBuilder().setRequestId(9)
          .setTask(Task.newBuilder().setKind("echo").setPayload(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5}))
              .setDeadlineMs(30_000).setAttempt(2))
          .build().toByteArray(),
      ParentEnvelope.newBuilder()
          .setWelcome(Welcome.newBuilder().setParentPid(1000).setHeartbeatIntervalMs(1000)
              .setHeartbeatTimeoutMs(5000).setMaxFrameBytes(Frames.DEFAULT_MAX_FRAME_BYTES))
          .build().toByteArray(),
      ParentEnvelope.newBuilder()
          .setError(ErrorReply.newBuilder().setCode(ErrorCode.ERROR_CODE_UNEXPECTED_KIND).setMessage("nö"))
          .build().toByteArray(),
  };

  @Property(tries = 1000)
  void directAndHeapFramesParseExactlyAsProtobufDoes(@ForAll("bodies") byte[] body, @ForAll boolean direct) {
    ParentEnvelope expected;
    try {
      expected = ParentEnvelope.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      expected = null;
    }
    Statistics.label("protobuf").collect(expected == null ? "refused" : "parsed");
    Statistics.label("protobuf").coverage(c -> {
      c.check("refused").percentage(p -> p > 5);
      c.check("parsed").percentage(p -> p > 5);
    });

    EmbeddedChannel channel = new EmbeddedChannel(new BoundedVarint32FrameDecoder(
        Frames.DEFAULT_MAX_FRAME_BYTES, () -> "fuzz peer", ParentEnvelope.getDefaultInstance()));
    try {
      channel.writeInbound(frame(body, direct));
      assertThat(expected).as("protobuf refuses these bytes, the decoder took them").isNotNull();
      assertThat((Object) channel.readInbound()).isEqualTo(expected);
    } catch (DecoderException e) {
      assertThat(expected).as("protobuf parses these bytes, the decoder refused them: " + e).isNull();
      assertThat(e.getCause()).isInstanceOf(InvalidProtocolBufferException.class);
    } finally {
      channel.finishAndReleaseAll();
    }
  }

  /** Valid envelopes, the same with a few bytes flipped or cut short, and plain noise. */
  @Provide
  Arbitrary<byte[]> bodies() {
    Arbitrary<byte[]> valid = Arbitraries.of(VALID);
    Arbitrary<byte[]> flipped = valid.flatMap(b -> Arbitraries.integers().between(0, b.length - 1)
        .list().ofMinSize(1).ofMaxSize(3)
        .map(positions -> {
          byte[] copy = b.clone();
          for (int at : positions) {
            copy[at] ^= (byte) (1 << (at % 8));
          }
          return copy;
        }));
    Arbitrary<byte[]> truncated = valid.flatMap(b -> Arbitraries.integers().between(0, b.length - 1)
        .map(n -> Arrays.copyOf(b, n)));
    return Arbitraries.oneOf(valid, flipped, truncated, FuzzBytes.noise(256));
  }

  private static ByteBuf frame(byte[] body, boolean direct) {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    FuzzBytes.writeVarint(wire, body.length);
    wire.writeBytes(body);
    byte[] bytes = wire.toByteArray();
    PooledByteBufAllocator pool = PooledByteBufAllocator.DEFAULT;
    ByteBuf buf = direct ? pool.directBuffer(bytes.length) : pool.heapBuffer(bytes.length);
    return buf.writeBytes(bytes);
  }
}
