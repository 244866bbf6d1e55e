package dev.ipclab.transport;

import dev.ipclab.proto.v1.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.function.Supplier;

/**
 * Splits a byte stream into frames by their varint length prefix (see {@link Frames}), refusing any frame over
 * the limit before a byte of it is buffered.
 *
 * <p>Netty's own {@code ProtobufVarint32FrameDecoder} has no cap, so a peer announcing 2 GiB would make it
 * wait and accumulate forever. This one fails fast with {@link FrameTooLargeException}, and after any
 * failure discards everything: once framing is lost, no later byte can be trusted.
 */
public final class BoundedVarint32FrameDecoder extends ByteToMessageDecoder {
  private final int maxFrameBytes;
  private final Supplier<String> peer;
  private boolean failed;

  /**
   * @param maxFrameBytes the largest frame body accepted, in bytes
   * @param peer names the sender in error messages; asked only when a frame is refused
   */
  public BoundedVarint32FrameDecoder(int maxFrameBytes, Supplier<String> peer) {
    this.maxFrameBytes = maxFrameBytes;
    this.peer = peer;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    in.markReaderIndex();
    long length = 0;
    int shift = 0;
    for (int i = 0; ; i++) {
      if (!in.isReadable()) {
        in.resetReaderIndex(); // the prefix itself is still incomplete
        return;
      }
      if (i == Frames.MAX_VARINT32_BYTES) {
        failed = true;
        throw new ProtocolException(
            ErrorCode.ERROR_CODE_MALFORMED_FRAME,
            "frame from " + peer.get() + " starts with a length prefix longer than "
                + Frames.MAX_VARINT32_BYTES + " bytes; these bytes are not ipclab frames."
                + " Did something else write to this channel?");
      }
      byte b = in.readByte();
      length |= (long) (b & 0x7f) << shift;
      shift += 7;
      if (b >= 0) {
        break;
      }
    }
    if (length > maxFrameBytes) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw new FrameTooLargeException(length, maxFrameBytes, peer.get());
    }
    if (in.readableBytes() < length) {
      in.resetReaderIndex();
      return;
    }
    out.add(in.readRetainedSlice((int) length));
  }
}
