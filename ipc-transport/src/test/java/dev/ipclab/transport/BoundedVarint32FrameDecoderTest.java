package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.transport.frame.BoundedVarint32FrameDecoder;
import dev.ipclab.transport.frame.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Fragmented and hostile input for the frame decoder, in the style of Netty's ProtobufVarint32FrameDecoderTest. */
class BoundedVarint32FrameDecoderTest {
  private static final int CAP = 300;

  private final EmbeddedChannel ch =
      new EmbeddedChannel(new BoundedVarint32FrameDecoder(CAP, () -> "worker-7 pid 4242"));

  @AfterEach
  void closeChannel() {
    ch.finishAndReleaseAll();
  }

  @Test
  void frameFedOneByteAtATimeComesOutWhole() {
    // 200 bytes need a two-byte prefix (c8 01), so the prefix itself is split too.
    byte[] body = bodyOf(200);
    byte[] frame = frame(body);
    assertThat(frame).startsWith((byte) 0xc8, (byte) 0x01);

    for (int i = 0; i < frame.length - 1; i++) {
      assertThat(ch.writeInbound(Unpooled.wrappedBuffer(frame, i, 1))).isFalse();
      assertThat((Object) ch.readInbound()).isNull();
    }
    assertThat(ch.writeInbound(Unpooled.wrappedBuffer(frame, frame.length - 1, 1))).isTrue();

    assertFrame(ch.readInbound(), body);
    assertThat((Object) ch.readInbound()).isNull();
  }

  @Test
  void severalFramesInOneBufferComeOutSeparatelyAndInOrder() {
    byte[] a = bodyOf(3);
    byte[] b = bodyOf(130);
    byte[] c = "third".getBytes(StandardCharsets.US_ASCII);
    byte[] all = concat(frame(a), frame(b), frame(c));

    ch.writeInbound(Unpooled.wrappedBuffer(all));

    assertFrame(ch.readInbound(), a);
    assertFrame(ch.readInbound(), b);
    assertFrame(ch.readInbound(), c);
    assertThat((Object) ch.readInbound()).isNull();
  }

  @Test
  void bufferEndingInsideTheNextFrameKeepsThatFrameUntilItsRestArrives() {
    byte[] a = bodyOf(10);
    byte[] b = bodyOf(150);
    byte[] all = concat(frame(a), frame(b));
    int split = frame(a).length + 1; // inside b's two-byte prefix

    ch.writeInbound(Unpooled.wrappedBuffer(all, 0, split));
    assertFrame(ch.readInbound(), a);
    assertThat((Object) ch.readInbound()).isNull();

    ch.writeInbound(Unpooled.wrappedBuffer(all, split, all.length - split));
    assertFrame(ch.readInbound(), b);
  }

  @Test
  void emptyFrameIsAFrameOfZeroBytes() {
    byte[] after = bodyOf(2);
    ch.writeInbound(Unpooled.wrappedBuffer(concat(new byte[] {0}, frame(after))));

    assertFrame(ch.readInbound(), new byte[0]);
    assertFrame(ch.readInbound(), after);
  }

  @Test
  void frameExactlyAtTheCapIsAccepted() {
    byte[] body = bodyOf(CAP);

    ch.writeInbound(Unpooled.wrappedBuffer(frame(body)));

    assertFrame(ch.readInbound(), body);
  }

  @Test
  void frameOneByteOverTheCapIsRefusedBeforeItsBodyArrives() {
    byte[] wholeFrame = frame(bodyOf(CAP + 1));
    byte[] prefix = java.util.Arrays.copyOf(wholeFrame, wholeFrame.length - (CAP + 1)); // the prefix alone

    assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(prefix)))
        .isInstanceOf(DecoderException.class)
        .cause()
        .isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.ERROR_CODE_FRAME_TOO_LARGE);
          assertThat(e.announcedBytes()).isEqualTo(CAP + 1);
          assertThat(e.maxFrameBytes()).isEqualTo(CAP);
          assertThat(e).hasMessage("frame from worker-7 pid 4242 announces 301 bytes, over the limit of 300 bytes;"
              + " it was not read. Send smaller messages, or raise --max-frame-bytes on both sides"
              + " if frames this large are intended.");
        });
  }

  @Test
  void twoGibPrefixFailsAtOnceAndNothingIsBuffered() {
    EmbeddedChannel big = new EmbeddedChannel(
        new BoundedVarint32FrameDecoder(Frames.DEFAULT_MAX_FRAME_BYTES, () -> "worker-1 pid 99"));
    try {
      // 2^31 as a varint; the prefix arrives in two pieces, and the first piece alone must not fail.
      ByteBuf first = Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80});
      assertThat(big.writeInbound(first)).isFalse();
      ByteBuf rest = Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 0x08, 1, 2, 3});

      assertThatThrownBy(() -> big.writeInbound(rest))
          .isInstanceOf(DecoderException.class)
          .cause()
          .isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
            assertThat(e.announcedBytes()).isEqualTo(1L << 31);
            assertThat(e.getMessage()).contains(
                "frame from worker-1 pid 99 announces 2147483648 bytes (2.0 GiB),"
                    + " over the limit of 16777216 bytes (16.0 MiB)");
          });

      // The decoder let go of every byte it was given: it holds no buffer waiting for the 2 GiB body.
      assertThat(first.refCnt()).isZero();
      assertThat(rest.refCnt()).isZero();
      // And the body that follows is dropped, not accumulated.
      ByteBuf body = Unpooled.wrappedBuffer(new byte[64 * 1024]);
      assertThat(big.writeInbound(body)).isFalse();
      assertThat(body.refCnt()).isZero();
      assertThat((Object) big.readInbound()).isNull();
    } finally {
      big.finishAndReleaseAll();
    }
  }

  @Test
  void prefixLongerThanFiveBytesIsAMalformedFrame() {
    byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 'x'};

    assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(garbage)))
        .isInstanceOf(DecoderException.class)
        .cause()
        .isExactlyInstanceOf(ProtocolException.class)
        .satisfies(e -> {
          assertThat(((ProtocolException) e).code()).isEqualTo(ErrorCode.ERROR_CODE_MALFORMED_FRAME);
          assertThat(e).hasMessage("frame from worker-7 pid 4242 starts with a length prefix longer than 5 bytes;"
              + " these bytes are not ipclab frames. Did something else write to this channel?");
        });
  }

  @Test
  void fiveByteContinuationPrefixWaitsForItsSixthByte() {
    // Five continuation bytes are not yet proof of corruption; only the sixth byte is.
    ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}));
    assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, (byte) 0xff})))
        .hasCauseInstanceOf(ProtocolException.class);
  }

  @Test
  void afterAFailureEveryLaterByteIsDiscarded() {
    byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(garbage)))
        .hasCauseInstanceOf(ProtocolException.class);

    // Perfectly good frames after the failure: framing is lost, so none may come out, and none may fail again.
    ByteBuf good = Unpooled.wrappedBuffer(concat(frame(bodyOf(5)), frame(bodyOf(6))));
    assertThat(ch.writeInbound(good)).isFalse();

    assertThat((Object) ch.readInbound()).isNull();
    assertThat(good.refCnt()).isZero();
  }

  @Test
  void peerNameIsNeverAskedForGoodFrames() {
    // Naming the peer may be costly (a UDS peer's credentials are a system call), so it is done only on refusal.
    AtomicInteger asked = new AtomicInteger();
    EmbeddedChannel counted = new EmbeddedChannel(new BoundedVarint32FrameDecoder(CAP, () -> {
      asked.incrementAndGet();
      return "worker-2 pid 4343";
    }));
    try {
      byte[] small = bodyOf(1);
      byte[] twoBytePrefix = bodyOf(200);
      byte[] atCap = bodyOf(CAP);
      byte[] all = concat(new byte[] {0}, frame(small), frame(twoBytePrefix), frame(atCap));

      // In one piece, then again one byte at a time, so every "prefix or body incomplete" path runs too.
      counted.writeInbound(Unpooled.wrappedBuffer(all));
      for (int i = 0; i < all.length; i++) {
        counted.writeInbound(Unpooled.wrappedBuffer(all, i, 1));
      }

      for (int round = 0; round < 2; round++) {
        assertFrame(counted.readInbound(), new byte[0]);
        assertFrame(counted.readInbound(), small);
        assertFrame(counted.readInbound(), twoBytePrefix);
        assertFrame(counted.readInbound(), atCap);
      }
      assertThat((Object) counted.readInbound()).isNull();
      assertThat(asked.get()).as("calls to the peer-name supplier").isZero();
    } finally {
      counted.finishAndReleaseAll();
    }
  }

  static byte[] bodyOf(int n) {
    byte[] body = new byte[n];
    for (int i = 0; i < n; i++) {
      body[i] = (byte) (i * 31 + 7);
    }
    return body;
  }

  static byte[] frame(byte[] body) {
    ByteBuf prefix = Unpooled.buffer();
    int v = body.length;
    while ((v & ~0x7f) != 0) {
      prefix.writeByte((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    prefix.writeByte(v);
    byte[] out = concat(ByteBufUtil.getBytes(prefix), body);
    prefix.release();
    return out;
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private static void assertFrame(Object decoded, byte[] expected) {
    assertThat(decoded).isInstanceOf(ByteBuf.class);
    ByteBuf buf = (ByteBuf) decoded;
    try {
      assertThat(ByteBufUtil.getBytes(buf)).isEqualTo(expected);
    } finally {
      buf.release();
    }
  }
}
