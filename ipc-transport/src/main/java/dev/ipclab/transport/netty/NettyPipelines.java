package dev.ipclab.transport.netty;

import com.google.protobuf.MessageLite;
import dev.ipclab.transport.frame.BoundedVarint32FrameDecoder;
import dev.ipclab.transport.frame.FrameEncoder;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.util.function.Supplier;

/** Puts the ipclab codec into a Netty pipeline; both sides' channel initializers call it first. */
public final class NettyPipelines {
  /**
   * Flushes at most this many times in a row before one really reaches the socket. Flushes during a read wait for
   * the read to complete; outside one, they collapse into one flush on the event loop's next turn. Either way a
   * burst of replies or of sends from several threads costs one {@code writev}, and a lone message is not delayed.
   */
  private static final int FLUSHES_PER_SYSCALL = 256;

  private NettyPipelines() {}

  /**
   * Adds, in order: the flush consolidation (many flushes, one system call), the bounded frame decoder (splits
   * bytes into frames, caps their size before buffering, parses each into an envelope in place) and the frame
   * encoder (envelope to frame, written in place).
   *
   * @param inboundPrototype the default instance of the envelope this side receives
   */
  public static void addCodec(
      ChannelPipeline pipeline, MessageLite inboundPrototype, int maxFrameBytes, Supplier<String> peer) {
    pipeline.addLast("flushConsolidation", new FlushConsolidationHandler(FLUSHES_PER_SYSCALL, true));
    pipeline.addLast("frameDecoder", new BoundedVarint32FrameDecoder(maxFrameBytes, peer, inboundPrototype));
    pipeline.addLast("frameEncoder", FrameEncoder.INSTANCE);
  }
}
