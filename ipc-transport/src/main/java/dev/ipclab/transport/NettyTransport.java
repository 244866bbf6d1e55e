package dev.ipclab.transport;

import com.google.protobuf.MessageLite;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code tcp} and {@code uds} transports: one Netty channel whose pipeline frames and parses (see
 * {@link NettyPipelines}); inbound messages reach the listener on the channel's event loop.
 */
public final class NettyTransport<I extends MessageLite, O extends MessageLite> implements Transport<I, O> {
  private static final Logger log = Logger.getLogger(NettyTransport.class.getName());

  private final Channel channel;
  private final TransportKind kind;
  private final Supplier<String> description;
  private final CompletableFuture<Throwable> closed = new CompletableFuture<>();
  private volatile Throwable failure;
  private volatile TransportListener<I> listener;

  /**
   * @param channel a channel whose pipeline came from {@link NettyPipelines#addCodec}
   * @param kind {@link TransportKind#TCP} or {@link TransportKind#UDS}
   * @param description names the peer; asked lazily because a UDS peer's pid is only known once connected
   */
  public NettyTransport(Channel channel, TransportKind kind, Supplier<String> description) {
    this.channel = channel;
    this.kind = kind;
    this.description = description;
    channel.closeFuture().addListener(f -> {
      closed.complete(failure);
      TransportListener<I> l = listener;
      if (l != null) {
        l.onClosed(failure);
      }
    });
  }

  /** The handler to put last in the pipeline: it feeds this transport's listener. */
  public SimpleChannelInboundHandler<I> inboundHandler(Class<I> inboundType) {
    return new SimpleChannelInboundHandler<>(inboundType) {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, I msg) {
        TransportListener<I> l = listener;
        if (l == null) {
          throw new IllegalStateException("message from " + describe() + " before start()");
        }
        l.onMessage(msg);
      }

      @Override
      public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure != null) {
          return; // the stream is already condemned; later decode noise adds nothing
        }
        if (!(cause instanceof DecoderException) && !(cause instanceof ProtocolException)) {
          // Not the peer's bytes but the network or our own code (e.g. "connection reset"): no error reply to
          // a peer that did nothing wrong, just the close, with the cause.
          failure = cause;
          ctx.close();
          return;
        }
        ProtocolException error = ProtocolException.from(cause, describe());
        failure = error;
        TransportListener<I> l = listener;
        if (l != null) {
          l.onProtocolError(error); // on this event loop, so a last error reply it sends is written first
        }
        ctx.close();
      }
    };
  }

  @Override
  public void start(TransportListener<I> listener) {
    if (this.listener != null) {
      throw new IllegalStateException("transport to " + describe() + " already started");
    }
    this.listener = listener;
    channel.config().setAutoRead(true);
  }

  @Override
  public void send(O message) {
    if (!channel.isOpen()) {
      String m = "cannot write to " + describe() + ": the channel is closed";
      throw new UncheckedIOException(m, new IOException(m));
    }
    channel.writeAndFlush(message).addListener(f -> {
      if (!f.isSuccess() && channel.isActive()) {
        log.log(Level.WARNING, "write to " + describe() + " failed; closing", f.cause());
        channel.close();
      }
    });
  }

  /** Netty's outbound buffer already decouples the caller from the socket, so an offer is a send. */
  @Override
  public void offer(O message) {
    send(message);
  }

  @Override
  public void sendAndClose(O message) {
    channel.writeAndFlush(message).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void writeRaw(byte[] bytes) {
    // Start at the head of the pipeline so the bytes pass no encoder and get no length prefix.
    channel.pipeline().firstContext().writeAndFlush(Unpooled.wrappedBuffer(bytes));
  }

  @Override
  public CompletableFuture<Throwable> closeFuture() {
    return closed;
  }

  @Override
  public String describe() {
    return description.get();
  }

  @Override
  public TransportKind kind() {
    return kind;
  }

  /** The underlying channel, for pipeline tweaks and tests. */
  public Channel channel() {
    return channel;
  }

  @Override
  public void close() {
    if (channel.eventLoop().inEventLoop()) {
      channel.close(); // waiting here would deadlock the loop that has to do the closing
    } else {
      channel.close().syncUninterruptibly();
    }
  }
}
