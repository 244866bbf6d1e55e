package dev.ipclab.transport;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code pipe} transport: frames over a pair of byte streams, in practice a child's stdin and stdout; the
 * {@code shm} transport reuses it over the streams of its rings (see {@link ShmChannel}).
 *
 * <p>One platform thread reads frames and calls the listener directly. A sender writes on its own thread when the
 * stream is free, which keeps the hot path free of thread hops; when another write holds the stream (a peer that
 * stopped reading fills a pipe in 64 KiB), or for {@link #offer}, the frame waits in a bounded queue that a writer
 * thread drains, so a supervisor never blocks on a stuck peer.
 *
 * <p>Batching, without hurting latency at light load:
 * <ul>
 *   <li>whoever holds the write lock also writes what other senders queued meanwhile, then flushes once;
 *   <li>{@link #sendBatch} frames a whole list into one 64 KiB buffer and flushes once;
 *   <li>a reply sent from the reading thread while another whole frame is already buffered is not flushed yet:
 *       the reader flushes before it can block (as Netty flushes on {@code channelReadComplete}).
 * </ul>
 * Frames are parsed straight from the reader's reused buffer (see {@link StreamFrameReader}).
 *
 * <p>A send never waits longer than the {@linkplain #sendWaitLimit send wait limit} (30 s by default) for the
 * stream: a sender that cannot get it in time fails with an {@link IllegalStateException} naming the peer. A write
 * blocked on a full pipe cannot be interrupted, so when no write has returned for the whole limit (the peer read
 * nothing) the transport closes, with that message as the cause: every waiting and later send fails at once, and
 * the peer's owner, told by {@link TransportListener#onClosed}, kills it, which ends the blocked write.
 *
 * <p>With {@link IdleStrategy#SPIN} the reader polls the stream for new bytes before it blocks in {@code read};
 * see {@link SpinBackoff} for the budget. The writing side lives in {@link StreamOutbound}.
 */
public final class StreamTransport<I extends MessageLite, O extends MessageLite> implements Transport<I, O> {
  private static final Logger log = Logger.getLogger(StreamTransport.class.getName());

  private final InputStream in;
  private final Parser<I> parser;
  private final int maxFrameBytes;
  private final String description;
  private final String threadName;
  private final TransportKind kind;
  private final CompletableFuture<Throwable> closed = new CompletableFuture<>();
  private final AtomicBoolean started = new AtomicBoolean();
  private final StreamOutbound<O> outbound;
  private final IdleStrategy idle;
  private volatile TransportListener<I> listener;
  /** Why reading stopped, if the peer broke the protocol; a close the listener then asks for carries it. */
  private volatile Throwable failure;
  /** A pause asked for and not yet taken, in ms; the longest request wins. */
  private final AtomicLong requestedPauseMillis = new AtomicLong();

  /**
   * @param in the stream frames arrive on (a child's stdout, or the worker's stdin)
   * @param out the stream frames leave on; it is flushed after every send or batch, except as described above
   * @param parser parses one frame body into the inbound envelope
   * @param maxFrameBytes the largest inbound frame body accepted, in bytes
   * @param description who is on the other end, for logs
   * @param threadName the name of the reading thread, which shows in {@code jcmd Thread.print}; the writer thread
   *     gets the same name with {@code -writer}
   */
  public StreamTransport(InputStream in, OutputStream out, Parser<I> parser, int maxFrameBytes, String description,
      String threadName) {
    this(in, out, parser, maxFrameBytes, description, threadName, IdleStrategy.BLOCK);
  }

  /** As above, with the reader's idle strategy: {@link IdleStrategy#SPIN} polls before blocking. */
  public StreamTransport(InputStream in, OutputStream out, Parser<I> parser, int maxFrameBytes, String description,
      String threadName, IdleStrategy idle) {
    this(in, out, parser, maxFrameBytes, description, threadName, idle, TransportKind.PIPE);
  }

  /**
   * As above, for another kind of byte stream than a pipe (the rings of {@link TransportKind#SHM}, whose input
   * stream does its own waiting and is read with {@link IdleStrategy#BLOCK} here).
   */
  public StreamTransport(InputStream in, OutputStream out, Parser<I> parser, int maxFrameBytes, String description,
      String threadName, IdleStrategy idle, TransportKind kind) {
    this.kind = kind;
    this.in = in;
    this.outbound = new StreamOutbound<>(out, description, threadName, kind, closed, this::closeWith, this::close);
    this.idle = idle;
    this.parser = parser;
    this.maxFrameBytes = maxFrameBytes;
    this.description = description;
    this.threadName = threadName;
  }

  @Override
  public void start(TransportListener<I> listener) {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("transport to " + description + " already started");
    }
    this.listener = listener;
    Thread r = new Thread(this::readLoop, threadName);
    r.setDaemon(true);
    outbound.start(r);
    r.start();
  }

  @Override
  public void handOver(TransportListener<I> next) {
    if (!started.get()) {
      throw new IllegalStateException("transport to " + description + " not started; nothing to hand over");
    }
    listener = java.util.Objects.requireNonNull(next, "next");
  }

  private void readLoop() {
    StreamFrameReader input = new StreamFrameReader(in, maxFrameBytes, description);
    SpinBackoff backoff = new SpinBackoff();
    Throwable cause = null;
    try {
      while (true) {
        if (!input.hasWholeFrame()) {
          outbound.flushDeferred(); // the next read may block, and the peer may be waiting for these replies
          if (idle == IdleStrategy.SPIN) {
            backoff.reset();
            while (!input.readable() && !closed.isDone() && backoff.idle()) {
              // spinning: see SpinBackoff
            }
          }
        }
        if (!input.next()) {
          break; // orderly end of stream
        }
        I message;
        try {
          message = parser.parseFrom(input.buffer(), input.bodyOffset(), input.bodyLength());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          byte[] body = input.bodyCopy();
          throw ProtocolException.from(e, description + " (frame of " + body.length + " bytes: "
              + BytePreview.of(body) + ")");
        }
        takeRequestedPause();
        outbound.moreInputBuffered(input.hasWholeFrame());
        listener.onMessage(message);
      }
    } catch (ProtocolException e) {
      cause = e;
      failure = e;
      listener.onProtocolError(e);
    } catch (EOFException e) {
      cause = e;
    } catch (IOException e) {
      if (!closed.isDone()) {
        cause = e;
      }
    } catch (RuntimeException | Error e) {
      log.log(Level.SEVERE, "listener failed on a message from " + description + "; closing", e);
      cause = e;
    } finally {
      if (!outbound.closingWhenDrained()) {
        closeWith(cause);
      } // else the listener queued a last frame: the writer closes once it is out
    }
  }

  /**
   * Stops reading for {@code millis} before the next frame reaches the listener; the reading thread sleeps, and
   * only it: senders and the writer thread (heartbeats, offers) go on.
   */
  @Override
  public void pauseReading(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("a read pause must be 0 ms or more, got " + millis);
    }
    requestedPauseMillis.accumulateAndGet(millis, Math::max);
  }

  /** On the reading thread, before it delivers a frame: takes the requested pause, if any. */
  private void takeRequestedPause() throws IOException {
    if (requestedPauseMillis.get() == 0) {
      return; // the common case: a plain read, no atomic write per frame
    }
    long millis = requestedPauseMillis.getAndSet(0);
    if (millis == 0) {
      return;
    }
    outbound.flushDeferred(); // replies held back for the next read must not wait out the pause
    log.warning(() -> "not reading from " + description + " for " + millis + " ms (slow reader)");
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the transport is closing; stop pausing and let it see the flag
    }
    log.info(() -> "reading from " + description + " again after a " + millis + " ms pause");
  }

  /**
   * How long a send waits for the stream before it fails, and how long no write may return before the transport
   * gives the peer up and closes (see the class comment); 30 s unless set. Returns this transport.
   */
  public StreamTransport<I, O> sendWaitLimit(Duration limit) {
    outbound.sendWaitLimit(limit.toNanos());
    return this;
  }

  @Override
  public void send(O message) {
    outbound.send(message);
  }

  /** Frames all of {@code messages} into as few writes as fit 64 KiB each, with one flush; blocks like send. */
  @Override
  public void sendBatch(List<? extends O> messages) {
    outbound.sendBatch(messages);
  }

  @Override
  public void offer(O message) {
    outbound.offer(message);
  }

  @Override
  public void sendAndClose(O message) {
    outbound.sendAndClose(message);
  }

  @Override
  public void writeRaw(byte[] bytes) {
    outbound.writeRaw(bytes);
  }

  @Override
  public CompletableFuture<Throwable> closeFuture() {
    return closed;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public TransportKind kind() {
    return kind;
  }

  @Override
  public void close() {
    closeWith(failure);
  }

  private void closeWith(Throwable cause) {
    if (!closed.complete(cause)) {
      return;
    }
    outbound.closeOutput();
    try {
      in.close();
    } catch (IOException e) {
      log.fine(() -> "closing input from " + description + ": " + e);
    }
    outbound.wakeWriter();
    TransportListener<I> l = listener;
    if (l != null) {
      l.onClosed(cause);
    }
  }
}
