package dev.ipclab.transport.frame;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import dev.ipclab.transport.netty.NettyTransport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Frames an envelope (see {@link Frames}) straight into one pooled buffer of exactly the frame's size: the length
 * prefix, then the protobuf bytes, written in place.
 *
 * <p>It replaces Netty's {@code ProtobufEncoder} plus {@code ProtobufVarint32LengthFieldPrepender}, which
 * serialize into a fresh {@code byte[]} and then copy it behind the prefix: two allocations and a copy per message.
 * A {@link ByteBuf} (already framed bytes, from {@link NettyTransport#sendBatch} or {@code writeRaw}) passes
 * through untouched.
 */
@Sharable
public final class FrameEncoder extends MessageToByteEncoder<MessageLite> {
  /** Shared: the encoder keeps no state. */
  public static final FrameEncoder INSTANCE = new FrameEncoder();

  private FrameEncoder() {
    super(MessageLite.class);
  }

  @Override
  protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, MessageLite msg, boolean preferDirect) {
    return ctx.alloc().ioBuffer(frameBytes(msg));
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, MessageLite msg, ByteBuf out) throws IOException {
    writeFrame(msg, out);
  }

  /** The size of {@code message}'s frame: prefix and body. */
  public static int frameBytes(MessageLite message) {
    int body = message.getSerializedSize();
    return Frames.prefixBytes(body) + body;
  }

  /** Appends {@code message}'s frame to {@code out}, growing it if needed, with no intermediate copy. */
  public static void writeFrame(MessageLite message, ByteBuf out) throws IOException {
    int body = message.getSerializedSize();
    int total = Frames.prefixBytes(body) + body;
    out.ensureWritable(total);
    ByteBuffer target = out.internalNioBuffer(out.writerIndex(), total);
    CodedOutputStream coded = CodedOutputStream.newInstance(target);
    coded.writeUInt32NoTag(body);
    message.writeTo(coded);
    coded.flush();
    out.writerIndex(out.writerIndex() + total);
  }
}
