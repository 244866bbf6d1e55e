package dev.ipclab.transport;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import com.google.protobuf.UnsafeByteOperations;
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
 *
 * <p>Given a parser, it also parses each frame into its envelope and passes the envelope on: no slice and no second
 * pipeline stage per message. Its bytes are copied out of Netty's buffer exactly once, and it never keeps a view of
 * that buffer, which goes back to the pool and is reused as soon as this read is done. A heap buffer is parsed where it
 * lies and protobuf copies each {@code bytes} field out of it. A direct buffer, which is what epoll reads into, is
 * copied once into a fresh array and parsed with aliasing on, so the {@code bytes} fields are views of that private
 * array. (protobuf 4.x has no direct-buffer decoder: {@code CodedInputStream.newInstance(ByteBuffer)} copies the
 * whole buffer into an array and then copies every {@code bytes} field out of it again, two copies of the payload;
 * Netty's {@code ProtobufDecoder} does the same.) Without a parser it passes each frame body on as a buffer slice.
 */
public final class BoundedVarint32FrameDecoder extends ByteToMessageDecoder {
  private final int maxFrameBytes;
  private final Supplier<String> peer;
  private final Parser<? extends MessageLite> parser;
  private boolean failed;

  /**
   * A decoder that passes frame bodies on as buffers.
   *
   * @param maxFrameBytes the largest frame body accepted, in bytes
   * @param peer names the sender in error messages; asked only when a frame is refused
   */
  public BoundedVarint32FrameDecoder(int maxFrameBytes, Supplier<String> peer) {
    this(maxFrameBytes, peer, null);
  }

  /**
   * A decoder that parses each frame in place and passes the envelope on.
   *
   * @param prototype the default instance of the envelope this side receives, or null to pass buffers on
   */
  public BoundedVarint32FrameDecoder(int maxFrameBytes, Supplier<String> peer, MessageLite prototype) {
    this.maxFrameBytes = maxFrameBytes;
    this.peer = peer;
    this.parser = prototype == null ? null : prototype.getParserForType();
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
    if (parser == null) {
      out.add(in.readRetainedSlice((int) length));
      return;
    }
    int body = (int) length;
    int at = in.readerIndex();
    in.skipBytes(body); // past the frame even if it does not parse: the error closes the channel anyway
    try {
      out.add(parse(in, at, body));
    } catch (InvalidProtocolBufferException e) {
      failed = true;
      throw e;
    }
  }

  private MessageLite parse(ByteBuf in, int at, int length) throws InvalidProtocolBufferException {
    if (in.hasArray()) {
      // Not immutable to protobuf, so it copies each bytes field out: the pooled array is never aliased.
      return parser.parseFrom(in.array(), in.arrayOffset() + at, length);
    }
    // Direct or composite: one copy into an array that nothing else ever sees or writes, so aliasing it is safe,
    // and the bytes fields share it instead of being copied a second time.
    byte[] copy = new byte[length];
    in.getBytes(at, copy);
    CodedInputStream coded = UnsafeByteOperations.unsafeWrap(copy).newCodedInput();
    coded.enableAliasing(true);
    return parser.parseFrom(coded); // checks the last tag, as parseFrom(byte[]) does: a stray end-group is refused
  }
}
