package dev.ipclab.transport;

import com.google.protobuf.MessageLite;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.protobuf.ProtobufDecoder;
import io.netty.handler.codec.protobuf.ProtobufEncoder;
import io.netty.handler.codec.protobuf.ProtobufVarint32LengthFieldPrepender;
import java.util.function.Supplier;

/** Puts the ipclab codec into a Netty pipeline; both sides' channel initializers call it first. */
public final class NettyPipelines {
  private static final ProtobufVarint32LengthFieldPrepender PREPENDER = new ProtobufVarint32LengthFieldPrepender();
  private static final ProtobufEncoder ENCODER = new ProtobufEncoder();

  private NettyPipelines() {}

  /**
   * Adds, in order: the bounded frame decoder (splits bytes into frames, caps their size before buffering), the
   * protobuf decoder (frame to envelope), the length prepender and the protobuf encoder (envelope to frame).
   *
   * @param inboundPrototype the default instance of the envelope this side receives
   */
  public static void addCodec(
      ChannelPipeline pipeline, MessageLite inboundPrototype, int maxFrameBytes, Supplier<String> peer) {
    pipeline.addLast("frameDecoder", new BoundedVarint32FrameDecoder(maxFrameBytes, peer));
    pipeline.addLast("protobufDecoder", new ProtobufDecoder(inboundPrototype));
    pipeline.addLast("frameEncoder", PREPENDER);
    pipeline.addLast("protobufEncoder", ENCODER);
  }
}
