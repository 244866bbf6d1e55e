package dev.ipclab.transport.frame;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import com.google.protobuf.UnsafeByteOperations;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.transport.FrameTooLargeException;
import dev.ipclab.transport.ProtocolException;
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
 * pipeline stage per message, and each payload is copied once. A heap buffer is parsed where it lies, and protobuf
 * copies each bytes field out of it. A direct buffer, which is what epoll reads into, cannot be parsed in place
 * by protobuf 4.x without {@code sun.misc.Unsafe} (it copies the buffer into an array, then copies each bytes
 * field out again, as Netty's {@code ProtobufDecoder} does); so the read's bytes are copied once into an array
 * that nothing else ever sees or writes, and the bytes fields alias that array. Without a parser it passes each
 * frame body on as a buffer slice.
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
    // Every complete frame of this read, in one call, through one protobuf reader over the readable bytes: a
    // reader per frame was a quarter of the bytes a one-way 100 B ping allocated (JFR/perf, see the README). The
    // frames reach the next handler after the whole read is decoded; nothing in ipclab removes this decoder.
    BatchReader batch = null;
    while (true) {
      int start = in.readerIndex();
      long length = readPrefix(in);
      if (length < 0) {
        in.readerIndex(start); // the prefix itself is still incomplete
        return;
      }
      if (length > maxFrameBytes) {
        failed = true;
        in.skipBytes(in.readableBytes());
        throw new FrameTooLargeException(length, maxFrameBytes, peer.get());
      }
      if (in.readableBytes() < length) {
        in.readerIndex(start);
        return;
      }
      int body = (int) length;
      if (parser == null) {
        out.add(in.readRetainedSlice(body));
        continue;
      }
      int at = in.readerIndex();
      in.skipBytes(body); // past the frame even if it does not parse: the error closes the channel anyway
      boolean parsed = false;
      try {
        if (batch == null || !batch.covers(at, body)) {
          batch = BatchReader.over(in, at, body, maxFrameBytes);
        }
        out.add(batch.parse(parser, at, body));
        parsed = true;
      } finally {
        if (!parsed) {
          failed = true; // whatever the parser threw: framing can no longer be trusted
        }
      }
    }
  }

  /** The varint length prefix at the reader index, which moves past it; -1 if incomplete. */
  private long readPrefix(ByteBuf in) throws ProtocolException {
    long length = 0;
    int shift = 0;
    for (int i = 0; ; i++) {
      if (!in.isReadable()) {
        return -1;
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
        return length;
      }
    }
  }

  /**
   * One protobuf reader over consecutive frames of a buffer, heap in place or direct copied once; each frame's body
   * is parsed under a limit, so a frame can never read into the next.
   */
  private static final class BatchReader {
    /**
     * The most bytes one copy of a direct buffer holds beyond its first frame: a message aliases its copy and keeps
     * all of it alive, so small frames must not share a copy with a large one, nor with many others.
     */
    private static final int COPY_BYTES = 64 * 1024;

    private final CodedInputStream coded;
    private final int base;
    private final int end;

    private BatchReader(CodedInputStream coded, int base, int end) {
      this.coded = coded;
      this.base = base;
      this.end = end;
    }

    /** A reader from the body at {@code from}, {@code length} bytes long, over the complete frames after it. */
    static BatchReader over(ByteBuf in, int from, int length, int maxFrameBytes) {
      if (in.hasArray()) {
        // Not immutable to protobuf, so it copies each bytes field out: the pooled array is never aliased.
        int bytes = in.writerIndex() - from;
        return new BatchReader(CodedInputStream.newInstance(in.array(), in.arrayOffset() + from, bytes), from,
            in.writerIndex());
      }
      // Direct or composite: one copy into an array that nothing else ever sees or writes, so aliasing it is
      // safe, and the bytes fields share it instead of being copied a second time. Only whole frames are copied
      // (a partial one waits for its next read), up to COPY_BYTES after the first, and none with a large first.
      int limit = length > COPY_BYTES ? from + length : from + length + COPY_BYTES;
      int end = wholeFramesEnd(in, from + length, limit, maxFrameBytes);
      byte[] copy = new byte[end - from];
      in.getBytes(from, copy);
      CodedInputStream coded = UnsafeByteOperations.unsafeWrap(copy).newCodedInput();
      coded.enableAliasing(true);
      return new BatchReader(coded, from, end);
    }

    /** Whether the body at {@code at}, {@code length} bytes long, lies in this reader's bytes. */
    boolean covers(int at, int length) {
      return at + length <= end;
    }

    /**
     * Where the run of whole frames starting at {@code at} ends, not past {@code limit}; stops at an incomplete,
     * malformed or oversized prefix, which the decoder's own loop then reports or waits for.
     */
    private static int wholeFramesEnd(ByteBuf in, int at, int limit, int maxFrameBytes) {
      int end = at;
      while (true) {
        long length = 0;
        int shift = 0;
        int pos = end;
        for (int i = 0; ; i++) {
          if (pos >= in.writerIndex() || i == Frames.MAX_VARINT32_BYTES) {
            return end;
          }
          byte b = in.getByte(pos++);
          length |= (long) (b & 0x7f) << shift;
          shift += 7;
          if (b >= 0) {
            break;
          }
        }
        long next = pos + length;
        if (length > maxFrameBytes || next > in.writerIndex() || next > limit) {
          return end;
        }
        end = (int) next;
      }
    }

    MessageLite parse(Parser<? extends MessageLite> parser, int at, int length)
        throws InvalidProtocolBufferException {
      try {
        int skip = at - base - coded.getTotalBytesRead(); // the length prefix between two bodies
        if (skip < 0) {
          throw new InvalidProtocolBufferException("a frame body was read past its end");
        }
        coded.skipRawBytes(skip);
        int outer = coded.pushLimit(length);
        MessageLite message = parser.parsePartialFrom(coded);
        coded.checkLastTagWas(0);
        if (coded.getBytesUntilLimit() != 0) {
          throw new InvalidProtocolBufferException("a frame body of " + length + " bytes was not read to its end");
        }
        coded.popLimit(outer);
        return message;
      } catch (InvalidProtocolBufferException e) {
        throw e;
      } catch (java.io.IOException e) {
        throw new InvalidProtocolBufferException(e);
      }
    }
  }
}
