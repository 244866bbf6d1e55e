package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.Ping;
import dev.ipclab.transport.frame.BoundedVarint32FrameDecoder;
import dev.ipclab.transport.frame.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The parsing decoder: the envelope it hands on owns its bytes, and holds one copy of them, not two. */
class BoundedVarint32FrameDecoderParseTest {
  private final EmbeddedChannel channel = new EmbeddedChannel(
      new BoundedVarint32FrameDecoder(Frames.DEFAULT_MAX_FRAME_BYTES, () -> "parent",
          ParentEnvelope.getDefaultInstance()));

  @AfterEach
  void closeChannel() {
    channel.finishAndReleaseAll();
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void payloadStaysIntactWhenTheReadBufferIsReusedAfterwards(boolean direct) throws IOException {
    ByteString payload = randomPayload(4096);
    ByteBuf read = buffer(direct, frame(ping(payload)));
    read.retain(); // keep the buffer to scribble on it once the decoder has released it, as the pool would reuse it

    channel.writeInbound(read);
    ParentEnvelope decoded = channel.readInbound();
    read.setZero(0, read.capacity());
    read.release();

    assertThat(decoded.getPing().getPayload()).isEqualTo(payload);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void strayEndGroupTagIsAnInvalidFrameFromEitherKindOfBuffer(boolean direct) {
    byte endGroupOfField1 = (1 << 3) | 4;

    assertThatThrownBy(() -> channel.writeInbound(buffer(direct, new byte[] {1, endGroupOfField1})))
        .hasRootCauseInstanceOf(InvalidProtocolBufferException.class);
  }

  @Test
  void frameFromADirectBufferIsCopiedOnceNotTwice() throws IOException {
    var threads = ManagementFactory.getThreadMXBean();
    assumeTrue(threads instanceof com.sun.management.ThreadMXBean, "needs per-thread allocation counters");
    var counters = (com.sun.management.ThreadMXBean) threads;
    int payloadBytes = 256 * 1024;
    int messages = 20;
    byte[] wire = frame(ping(randomPayload(payloadBytes)));
    ByteBuf read = buffer(true, wire);
    decodeOne(read); // class loading and first-use allocations stay out of the count

    long before = counters.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < messages; i++) {
      decodeOne(read);
    }
    long perMessage = (counters.getCurrentThreadAllocatedBytes() - before) / messages;
    read.release();

    // protobuf's own direct-buffer path allocates two copies (2 x 256 KiB); one copy plus small objects is the goal.
    assertThat(perMessage).isBetween((long) payloadBytes, payloadBytes * 3L / 2);
  }

  private void decodeOne(ByteBuf read) {
    channel.writeInbound(read.retainedDuplicate());
    ParentEnvelope decoded = channel.readInbound();
    assertThat(decoded.getPing().getPayload().size()).isPositive();
  }

  private static ParentEnvelope ping(ByteString payload) {
    return ParentEnvelope.newBuilder().setRequestId(7).setPing(Ping.newBuilder().setPayload(payload)).build();
  }

  private static ByteString randomPayload(int bytes) {
    byte[] payload = new byte[bytes];
    new Random(bytes).nextBytes(payload);
    return ByteString.copyFrom(payload);
  }

  private static byte[] frame(ParentEnvelope envelope) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    envelope.writeDelimitedTo(out);
    return out.toByteArray();
  }

  private static ByteBuf buffer(boolean direct, byte[] bytes) {
    PooledByteBufAllocator pool = PooledByteBufAllocator.DEFAULT;
    ByteBuf buf = direct ? pool.directBuffer(bytes.length) : pool.heapBuffer(bytes.length);
    assertThat(buf.isDirect()).isEqualTo(direct);
    return buf.writeBytes(bytes);
  }
}
