package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.Ping;
import dev.ipclab.transport.frame.BoundedVarint32FrameDecoder;
import dev.ipclab.transport.frame.FrameEncoder;
import dev.ipclab.transport.frame.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The decoder's parsing mode: every complete frame of a read parsed through one reader, each within its body. */
class BoundedVarint32FrameDecoderBatchTest {
  private final EmbeddedChannel ch = new EmbeddedChannel(new BoundedVarint32FrameDecoder(
      Frames.DEFAULT_MAX_FRAME_BYTES, () -> "worker-3 pid 77", ParentEnvelope.getDefaultInstance()));

  @AfterEach
  void closeChannel() {
    ch.finishAndReleaseAll();
  }

  @Test
  void manyEnvelopesInOneDirectBufferComeOutParsedAndInOrder() throws IOException {
    List<ParentEnvelope> sent = envelopes(50);
    ch.writeInbound(framed(sent, Unpooled.directBuffer()));
    assertThat(received()).containsExactlyElementsOf(sent);
  }

  @Test
  void manyEnvelopesInOneHeapBufferComeOutParsedAndInOrder() throws IOException {
    List<ParentEnvelope> sent = envelopes(50);
    ch.writeInbound(framed(sent, Unpooled.buffer()));
    assertThat(received()).containsExactlyElementsOf(sent);
  }

  @Test
  void readsCutAnywhereStillYieldEveryEnvelopeOnce() throws IOException {
    List<ParentEnvelope> sent = envelopes(20);
    ByteBuf all = framed(sent, Unpooled.buffer());
    byte[] bytes = new byte[all.readableBytes()];
    all.readBytes(bytes);
    all.release();
    for (int cut = 1; cut < bytes.length; cut += 37) {
      ch.writeInbound(Unpooled.wrappedBuffer(bytes, 0, cut));
      ch.writeInbound(Unpooled.wrappedBuffer(bytes, cut, bytes.length - cut));
      assertThat(received()).as("cut at byte %d", cut).containsExactlyElementsOf(sent);
    }
  }

  @Test
  void aBodyThatWouldReadIntoTheNextFrameIsMalformedAndEarlierFramesStillArrive() throws IOException {
    ParentEnvelope first = envelopes(1).get(0);
    // A 3-byte body whose field announces 5 bytes: without a per-frame limit it would swallow the next frame.
    byte[] shortBody = {0x12, 0x05, 'a'};
    ByteBuf in = framed(List.of(first), Unpooled.directBuffer());
    in.writeByte(shortBody.length).writeBytes(shortBody);
    ByteBuf after = framed(envelopes(2), Unpooled.directBuffer());
    in.writeBytes(after);
    after.release();

    assertThatThrownBy(() -> ch.writeInbound(in))
        .isInstanceOf(DecoderException.class)
        .hasCauseInstanceOf(InvalidProtocolBufferException.class);
    assertThat(received()).containsExactly(first); // and nothing after the broken frame
  }

  private static List<ParentEnvelope> envelopes(int n) {
    List<ParentEnvelope> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] payload = new byte[(i * 53) % 400]; // 0 B to 399 B: one- and two-byte prefixes
      if (payload.length > 0) {
        payload[payload.length - 1] = (byte) i; // envelopes differ in their bytes, not only their ids
      }
      list.add(ParentEnvelope.newBuilder()
          .setRequestId(i + 1)
          .setPing(Ping.newBuilder().setPayload(ByteString.copyFrom(payload)).setParentSendNanos(i))
          .build());
    }
    return list;
  }

  private static ByteBuf framed(List<ParentEnvelope> envelopes, ByteBuf out) throws IOException {
    for (ParentEnvelope e : envelopes) {
      FrameEncoder.writeFrame(e, out);
    }
    return out;
  }

  private List<ParentEnvelope> received() {
    List<ParentEnvelope> got = new ArrayList<>();
    for (Object o; (o = ch.readInbound()) != null; ) {
      got.add((ParentEnvelope) o);
    }
    return got;
  }
}
