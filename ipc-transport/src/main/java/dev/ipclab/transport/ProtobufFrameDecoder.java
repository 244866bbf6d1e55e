package dev.ipclab.transport;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/**
 * Parses one frame body (from {@link BoundedVarint32FrameDecoder}) into an envelope where it lies, heap or direct
 * buffer alike.
 *
 * <p>Netty's {@code ProtobufDecoder} copies every frame of a direct buffer, which is what the epoll transport
 * reads into, into a fresh {@code byte[]} first; this one hands protobuf the buffer's memory itself.
 */
public final class ProtobufFrameDecoder extends MessageToMessageDecoder<ByteBuf> {
  private final Parser<? extends MessageLite> parser;

  /** @param prototype the default instance of the envelope this side receives */
  public ProtobufFrameDecoder(MessageLite prototype) {
    super(ByteBuf.class);
    this.parser = prototype.getParserForType();
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) throws Exception {
    int length = frame.readableBytes();
    if (frame.hasArray()) {
      out.add(parser.parseFrom(frame.array(), frame.arrayOffset() + frame.readerIndex(), length));
    } else if (frame.nioBufferCount() == 1) {
      out.add(parser.parseFrom(CodedInputStream.newInstance(frame.nioBuffer(frame.readerIndex(), length))));
    } else {
      byte[] copy = new byte[length]; // a composite buffer, which the frame decoder does not produce
      frame.getBytes(frame.readerIndex(), copy);
      out.add(parser.parseFrom(copy));
    }
  }
}
