package dev.ipclab.transport.netty;

import com.google.protobuf.MessageLite;
import dev.ipclab.transport.ProtocolException;
import dev.ipclab.transport.Transport;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.TransportListener;
import dev.ipclab.transport.fault.RawByteSink;
import dev.ipclab.transport.frame.FrameEncoder;
import dev.ipclab.transport.frame.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The {@code tcp} and {@code uds} transports: one Netty channel whose pipeline frames and parses (see
 * {@link NettyPipelines}); inbound messages reach the listener on the channel's event loop.
 *
 * <p>Backpressure, as a pipe gives it: Netty's outbound buffer has no bound of its own, so a peer that stops
 * reading (SIGSTOP, a stuck loop) would collect frames in our heap without limit. Here the channel turns
 * unwritable above {@value #HIGH_WATER_BYTES} bytes pending (writable again below {@value #LOW_WATER_BYTES}),
 * counting frames still queued for the event loop at their serialized size, and then:
 * <ul>
 *   <li>{@link #send} and {@link #sendBatch} from any other thread wait until it is writable again, the channel
 *       closes, the caller is interrupted, or the {@linkplain #sendWaitLimit send wait limit} passes (30 s by
 *       default), as a write blocks on a full pipe;
 *   <li>a send on the channel's own event loop never waits (nobody else could drain the buffer): it is queued;
 *   <li>{@link #offer} never waits, and fails once {@value #OFFER_LIMIT_BYTES} bytes are pending.
 * </ul>
 * A send on the event loop is what answers a request on the reading thread (a worker's pongs and status
 * replies), so a peer that sends requests but stops reading the answers would grow that queue without bound. A
 * transport made {@link #readOnlyWhileWritable()} (the worker's) therefore stops reading while it is unwritable:
 * the requests wait in the peer's buffers, which the peer bounds, and what this side holds stays near the
 * high-water mark plus the answers to one read. Only one side of a channel may do this: two peers that both
 * stopped reading once their sends backed up would wait for each other for ever, so the parent always reads.
 *
 * <p>{@link #pauseReading} stops reading without blocking the event loop, which also writes: heartbeats and
 * other senders' frames still go out while this side reads nothing.
 */
public final class NettyTransport<I extends MessageLite, O extends MessageLite>
    implements Transport<I, O>, RawByteSink {
  private static final Logger log = Logger.getLogger(NettyTransport.class.getName());
  /** Below this many pending outbound bytes a channel that was unwritable becomes writable again. */
  static final int LOW_WATER_BYTES = 256 * 1024;
  /** Above this many pending outbound bytes the channel is unwritable and senders wait. */
  static final int HIGH_WATER_BYTES = 1024 * 1024;
  /** Above this many pending outbound bytes offers fail: the peer is not reading. */
  static final int OFFER_LIMIT_BYTES = 16 * HIGH_WATER_BYTES;
  /** {@link #sendBatch} hands the event loop at most this many framed bytes at a time. */
  private static final int BATCH_CHUNK_BYTES = 64 * 1024;
  /** Counts a queued envelope at its frame size; Netty would count any message that is not a buffer as 8 bytes. */
  private static final MessageSizeEstimator FRAME_SIZE = () -> msg -> switch (msg) {
    case ByteBuf buf -> buf.readableBytes();
    case MessageLite m -> FrameEncoder.frameBytes(m);
    default -> 8;
  };

  private final Channel channel;
  private final TransportKind kind;
  private final Supplier<String> description;
  private final CompletableFuture<Throwable> closed = new CompletableFuture<>();
  private volatile Throwable failure;
  private volatile TransportListener<I> listener;
  private final SendGate gate;
  /** Set once, before start: stop reading while unwritable (see the class comment). */
  private volatile boolean readOnlyWhileWritable;
  /** A pause asked for and not yet begun, in ms; the longest request wins. */
  private final AtomicLong requestedPauseMillis = new AtomicLong();
  // Event loop only: the frames that arrived after a pause began, delivered in order when it ends.
  private final ArrayDeque<I> held = new ArrayDeque<>();
  private boolean paused;

  /**
   * @param channel a channel whose pipeline came from {@link NettyPipelines#addCodec}
   * @param kind {@link TransportKind#TCP} or {@link TransportKind#UDS}
   * @param description names the peer; asked lazily because a UDS peer's pid is only known once connected
   */
  public NettyTransport(Channel channel, TransportKind kind, Supplier<String> description) {
    this.channel = channel;
    this.kind = kind;
    this.description = description;
    this.gate = new SendGate(channel, description);
    // Before any write: the pipeline caches the size estimator on first use.
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(LOW_WATER_BYTES, HIGH_WATER_BYTES));
    channel.config().setMessageSizeEstimator(FRAME_SIZE);
    channel.closeFuture().addListener(f -> {
      gate.wake();
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
        if (paused || beginRequestedPause()) {
          held.add(msg); // the decoder may still hand over the rest of the last read: they wait their turn
          return;
        }
        l.onMessage(msg);
      }

      @Override
      public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
      }

      @Override
      public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Reading goes on while unwritable: if both ends stopped reading once their sends backed up, two peers
        // sending to each other at once would each wait for the other for ever.
        if (ctx.channel().isWritable()) {
          gate.wake();
        }
        if (readOnlyWhileWritable) {
          updateAutoRead();
        }
        ctx.fireChannelWritabilityChanged();
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
  public void handOver(TransportListener<I> next) {
    if (listener == null) {
      throw new IllegalStateException("transport to " + describe() + " not started; nothing to hand over");
    }
    listener = java.util.Objects.requireNonNull(next, "next");
  }

  /**
   * Makes this side stop reading while the channel is unwritable, so that answers sent on the event loop to a peer
   * that does not read them cannot pile up here (see the class comment). Call before {@link #start}, on one side
   * of a channel only. Returns this transport.
   */
  public NettyTransport<I, O> readOnlyWhileWritable() {
    this.readOnlyWhileWritable = true;
    return this;
  }

  /**
   * Stops reading for {@code millis} before the next frame reaches the listener: that frame and the ones after it
   * wait in the OS channel and the peer's buffers. The event loop does not sleep, so sends, offers and heartbeats
   * go on. Requests made before the pause begins merge into the longest.
   */
  @Override
  public void pauseReading(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("a read pause must be 0 ms or more, got " + millis);
    }
    requestedPauseMillis.accumulateAndGet(millis, Math::max);
  }

  /** On the event loop, as a frame arrives: begins the requested pause, if any; true if one began. */
  private boolean beginRequestedPause() {
    if (requestedPauseMillis.get() == 0) {
      return false; // the common case: no atomic write per frame
    }
    long millis = requestedPauseMillis.getAndSet(0);
    if (millis == 0) {
      return false;
    }
    paused = true;
    updateAutoRead();
    log.warning(() -> "not reading from " + describe() + " for " + millis + " ms (slow reader)");
    channel.eventLoop().schedule(() -> endPause(millis), millis, TimeUnit.MILLISECONDS);
    return true;
  }

  /** On the event loop: hands over the frames held during the pause, unless another pause begins first. */
  private void endPause(long millis) {
    paused = false;
    log.info(() -> "reading from " + describe() + " again after a " + millis + " ms pause");
    try {
      for (I next; !paused && (next = held.peek()) != null; ) {
        if (beginRequestedPause()) {
          break; // the held frame waits for the end of this pause too
        }
        held.poll();
        if (channel.isOpen()) {
          listener.onMessage(next);
        }
      }
    } catch (RuntimeException e) {
      channel.pipeline().fireExceptionCaught(e); // as if it had been thrown while reading
    }
    channel.flush(); // the answers to the held frames: nobody else flushes them, no read completes here
    updateAutoRead();
  }

  /** On the event loop: reads while started, not paused, and (if asked) writable. */
  private void updateAutoRead() {
    boolean read = listener != null && !paused && (!readOnlyWhileWritable || channel.isWritable());
    if (channel.config().isAutoRead() != read) {
      channel.config().setAutoRead(read); // turned on, it also asks for the next read
    }
  }

  /**
   * How long {@link #send} and {@link #sendBatch} wait for a peer that does not read before they fail with an
   * {@link IllegalStateException}; 30 s unless set. Returns this transport.
   */
  public NettyTransport<I, O> sendWaitLimit(Duration limit) {
    gate.limit(limit);
    return this;
  }

  /**
   * Writes and flushes {@code message}; waits first while the channel is unwritable (see the class comment).
   *
   * @throws IllegalStateException if the peer has not drained the buffer within the send wait limit
   * @throws UncheckedIOException if the channel is closed, or with an {@link InterruptedIOException} if the
   *     caller was interrupted while waiting (its interrupt flag is set again)
   */
  @Override
  public void send(O message) {
    gate.await();
    channel.writeAndFlush(message, channel.voidPromise()); // a failed write reaches exceptionCaught and closes
  }

  /**
   * Frames {@code messages} on the caller's thread into pooled buffers of up to 64 KiB and hands each to the event
   * loop as one write with one flush: the loop only copies bytes to the socket. Waits like {@link #send} before
   * each buffer, so a large batch to a slow peer never holds more than the high-water mark plus one buffer.
   */
  @Override
  public void sendBatch(List<? extends O> messages) {
    int i = 0;
    while (i < messages.size()) {
      gate.await();
      ByteBuf chunk = channel.alloc().ioBuffer(BATCH_CHUNK_BYTES);
      try {
        do {
          FrameEncoder.writeFrame(messages.get(i++), chunk);
        } while (i < messages.size() && chunk.readableBytes() < BATCH_CHUNK_BYTES);
      } catch (IOException | RuntimeException e) {
        chunk.release();
        throw new IllegalArgumentException("cannot frame message " + (i - 1) + " of a batch to " + describe()
            + ": " + e.getMessage(), e);
      }
      channel.writeAndFlush(chunk, channel.voidPromise());
    }
  }

  /**
   * Queues {@code message} without waiting, as long as fewer than {@value #OFFER_LIMIT_BYTES} bytes are pending.
   */
  @Override
  public void offer(O message) {
    gate.requireOpen();
    long pending = pendingBytes();
    if (pending > OFFER_LIMIT_BYTES) {
      throw new IllegalStateException(Frames.describeBytes(pending) + " are already waiting to be written to "
          + describe() + ", over the offer limit of " + Frames.describeBytes(OFFER_LIMIT_BYTES)
          + "; the peer is not reading: it may be stopped (SIGSTOP) or stuck");
    }
    channel.writeAndFlush(message, channel.voidPromise());
  }

  /** Bytes written to the channel but not yet to the socket, queued envelopes included; 0 once closed. */
  long pendingBytes() {
    return gate.pendingBytes();
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
