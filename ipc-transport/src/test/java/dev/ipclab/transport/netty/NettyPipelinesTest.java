package dev.ipclab.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.ErrorReply;
import dev.ipclab.proto.v1.Heartbeat;
import dev.ipclab.proto.v1.Hello;
import dev.ipclab.proto.v1.JvmFacts;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.Ping;
import dev.ipclab.proto.v1.Pong;
import dev.ipclab.proto.v1.Welcome;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.frame.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The real codec with the real envelopes: parent side and worker side, joined by bytes fed back in fragments. */
class NettyPipelinesTest {
  private final EmbeddedChannel parentSide = codecChannel(WorkerEnvelope.getDefaultInstance(), "worker-2");
  private final EmbeddedChannel workerSide = codecChannel(ParentEnvelope.getDefaultInstance(), "parent");

  @AfterEach
  void closeChannels() {
    parentSide.finishAndReleaseAll();
    workerSide.finishAndReleaseAll();
  }

  @Test
  void pipelineHasTheCodecHandlersInOrder() {
    assertThat(parentSide.pipeline().names())
        .containsSubsequence("flushConsolidation", "frameDecoder", "frameEncoder");
  }

  @Test
  void workerEnvelopesCrossToTheParentIntactWhenFedOneByteAtATime() throws IOException {
    List<WorkerEnvelope> sent = List.of(
        WorkerEnvelope.newBuilder()
            .setHello(Hello.newBuilder().setWorkerId(2).setPid(4242).setPpid(1000).setProtocolVersion(1)
                .setToken("0123456789abcdef0123456789abcdef")
                .setJvm(JvmFacts.newBuilder().setJavaVersion("25").setThreadCount(12).addInputArguments("-Xmx256m")))
            .build(),
        WorkerEnvelope.newBuilder().setRequestId(1)
            .setPong(Pong.newBuilder().setPayload(ByteString.copyFrom(new byte[300])).setWorkerSendNanos(5))
            .build(),
        WorkerEnvelope.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSequence(3)).build());

    byte[] wire = encode(workerSide, sent);

    assertThat(wire).isEqualTo(delimited(sent));
    for (byte b : wire) {
      parentSide.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
    }
    assertThat(readAll(parentSide)).containsExactlyElementsOf(sent);
  }

  @Test
  void parentEnvelopesCrossToTheWorkerIntactInUnevenChunks() throws IOException {
    List<ParentEnvelope> sent = new ArrayList<>();
    sent.add(ParentEnvelope.newBuilder()
        .setWelcome(Welcome.newBuilder().setParentPid(1000).setHeartbeatIntervalMs(1000)
            .setHeartbeatTimeoutMs(5000).setMaxFrameBytes(Frames.DEFAULT_MAX_FRAME_BYTES))
        .build());
    for (int i = 1; i <= 20; i++) {
      sent.add(ParentEnvelope.newBuilder().setRequestId(i)
          .setPing(Ping.newBuilder().setPayload(ByteString.copyFrom(new byte[i * 17])).setParentSendNanos(i))
          .build());
    }
    sent.add(ParentEnvelope.newBuilder()
        .setError(ErrorReply.newBuilder().setCode(ErrorCode.ERROR_CODE_UNEXPECTED_KIND).setMessage("no"))
        .build());

    byte[] wire = encode(parentSide, sent);

    assertThat(wire).isEqualTo(delimited(sent));
    int at = 0;
    for (int chunk = 1; at < wire.length; chunk = chunk % 13 + 1) {
      int n = Math.min(chunk, wire.length - at);
      workerSide.writeInbound(Unpooled.wrappedBuffer(wire, at, n));
      at += n;
    }
    assertThat(readAll(workerSide)).containsExactlyElementsOf(sent);
  }

  @Test
  void emptyEnvelopeIsAOneByteFrameAndDecodesToTheDefaultInstance() {
    byte[] wire = encode(workerSide, List.of(WorkerEnvelope.getDefaultInstance()));

    assertThat(wire).containsExactly(0);
    parentSide.writeInbound(Unpooled.wrappedBuffer(wire));
    assertThat(readAll(parentSide)).containsExactly(WorkerEnvelope.getDefaultInstance());
  }

  private static EmbeddedChannel codecChannel(MessageLite inbound, String peer) {
    EmbeddedChannel ch = new EmbeddedChannel();
    NettyPipelines.addCodec(ch.pipeline(), inbound, Frames.DEFAULT_MAX_FRAME_BYTES, () -> peer);
    return ch;
  }

  private static byte[] encode(EmbeddedChannel ch, List<? extends MessageLite> messages) {
    for (MessageLite m : messages) {
      ch.writeOutbound(m);
    }
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    for (ByteBuf buf; (buf = ch.readOutbound()) != null; ) {
      wire.writeBytes(ByteBufUtil.getBytes(buf));
      buf.release();
    }
    return wire.toByteArray();
  }

  private static byte[] delimited(List<? extends MessageLite> messages) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (MessageLite m : messages) {
      m.writeDelimitedTo(out);
    }
    return out.toByteArray();
  }

  private static List<Object> readAll(EmbeddedChannel ch) {
    List<Object> all = new ArrayList<>();
    for (Object m; (m = ch.readInbound()) != null; ) {
      all.add(m);
    }
    return all;
  }
}
