package dev.ipclab.transport;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
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
 * see {@link SpinBackoff} for the budget.
 */
public final class StreamTransport<I extends MessageLite, O extends MessageLite> implements Transport<I, O> {
  private static final Logger log = Logger.getLogger(StreamTransport.class.getName());

  private final InputStream in;
  private final OutputStream out;
  private final Parser<I> parser;
  private final int maxFrameBytes;
  private final String description;
  private final String threadName;
  private final TransportKind kind;
  private final CompletableFuture<Throwable> closed = new CompletableFuture<>();
  private final AtomicBoolean started = new AtomicBoolean();
  private final ReentrantLock writeLock = new ReentrantLock();
  private final OutboundQueue<O> queue = new OutboundQueue<>();
  private volatile boolean closeWhenDrained;
  private volatile Thread writer;
  private final StreamFrameWriter frames;
  private final IdleStrategy idle;
  private volatile Thread reader;
  /** Set by the reader while it delivers a frame with another whole frame behind it: replies may wait a little. */
  private volatile boolean moreInputBuffered;
  private volatile TransportListener<I> listener;
  /** Why reading stopped, if the peer broke the protocol; a close the listener then asks for carries it. */
  private volatile Throwable failure;
  private volatile long sendWaitNanos = TimeUnit.SECONDS.toNanos(30);
  /** Why the transport closed itself on a peer that read nothing for the send wait limit; null until then. */
  private volatile String stalled;
  /** A pause asked for and not yet taken, in ms; the longest request wins. */
  private final AtomicLong requestedPauseMillis = new AtomicLong();
  // The writer thread's watch over whoever holds the stream: the progress it last saw, and since when.
  private long watchedProgress = -1;
  private long watchedSinceNanos;

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
    this.out = out;
    this.frames = new StreamFrameWriter(out);
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
    Thread w = new Thread(this::writeLoop, threadName + "-writer");
    w.setDaemon(true);
    writer = w;
    w.start();
    Thread r = new Thread(this::readLoop, threadName);
    r.setDaemon(true);
    reader = r;
    r.start();
  }

  private void readLoop() {
    StreamFrameReader input = new StreamFrameReader(in, maxFrameBytes, description);
    SpinBackoff backoff = new SpinBackoff();
    Throwable cause = null;
    try {
      while (true) {
        if (!input.hasWholeFrame()) {
          flushDeferred(); // the next read may block, and the peer may be waiting for these replies
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
        moreInputBuffered = input.hasWholeFrame();
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
      if (!closeWhenDrained) {
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
    flushDeferred(); // replies held back for the next read must not wait out the pause
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
    this.sendWaitNanos = limit.toNanos();
    return this;
  }

  /** Drains the queue; only this thread, or a sender holding the lock, ever writes. */
  private void writeLoop() {
    while (!closed.isDone()) {
      if (queue.isEmpty() && !closeWhenDrained) {
        watchTheWriter();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        continue;
      }
      try {
        if (!writeLock.tryLock(100, TimeUnit.MILLISECONDS)) {
          watchTheWriter();
          continue;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        closeWith(e);
        return;
      }
      try {
        drainQueue();
        frames.flush();
      } catch (IOException | RuntimeException | Error e) {
        closeWith(e); // a writer that died silently would leave an open transport that never writes again
        return;
      } finally {
        writeLock.unlock();
      }
      if (closeWhenDrained && queue.isEmpty()) {
        closeWith(failure);
      }
    }
  }

  /**
   * On the writer thread: gives the peer up if another thread has held the stream for the whole send wait limit
   * and no write returned meanwhile, which on a pipe means a write blocked because the peer reads nothing.
   */
  private void watchTheWriter() {
    long now = System.nanoTime();
    long progress = frames.progress();
    if (!writeLock.isLocked() || progress != watchedProgress) {
      watchedProgress = progress;
      watchedSinceNanos = now;
      return;
    }
    if (now - watchedSinceNanos > sendWaitNanos) {
      giveUp(now - watchedSinceNanos);
    }
  }

  /**
   * The peer read nothing for {@code nanos}: close, with a cause that says so, so that waiting and later sends fail
   * at once and the peer's owner replaces it (its death is what ends the blocked write).
   */
  private void giveUp(long nanos) {
    String message = stallMessage(nanos);
    if (stalled == null) {
      stalled = message;
      log.warning(message);
    }
    closeWith(new IOException(message));
  }

  private String stallMessage(long waitedNanos) {
    return description + " has not read for " + TimeUnit.NANOSECONDS.toMillis(waitedNanos) + " ms: a write to it"
        + " has been blocked that long on a full " + kind.cliName() + ", and the send wait limit is "
        + TimeUnit.NANOSECONDS.toMillis(sendWaitNanos) + " ms. It may be stopped (SIGSTOP) or stuck; the send"
        + " failed and the channel is closed, so its supervisor should replace it (or raise the send wait limit if"
        + " it is only slow).";
  }

  /**
   * Takes the write lock for a sender: at once if it is free, else waiting at most the send wait limit. A sender
   * that waited in vain fails; if no write returned meanwhile either, the peer read nothing and is given up.
   */
  private void lockForWrite() {
    if (writeLock.tryLock()) {
      return;
    }
    long limit = sendWaitNanos;
    long progress = frames.progress();
    long start = System.nanoTime();
    try {
      if (writeLock.tryLock(limit, TimeUnit.NANOSECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      String m = "interrupted while waiting to write to " + description + ", which is not reading";
      throw new UncheckedIOException(m, new InterruptedIOException(m));
    }
    long waited = System.nanoTime() - start;
    if (frames.progress() == progress) {
      giveUp(waited);
      throw new IllegalStateException(stallMessage(waited));
    }
    throw new IllegalStateException(description + " is reading too slowly: a send waited "
        + TimeUnit.NANOSECONDS.toMillis(waited) + " ms, the send wait limit, for frames ahead of it to be written;"
        + " the send was dropped. Send less to it, or raise the send wait limit.");
  }

  /** Writes every queued frame, in order, without flushing; the caller holds the write lock. */
  private void drainQueue() throws IOException {
    for (O next; (next = queue.poll()) != null; ) {
      frames.write(next);
    }
  }

  /**
   * Ends a write under the lock: flushes, unless this is the reader replying with more input already buffered;
   * then the reader flushes before it next blocks.
   */
  private void finishWrite() throws IOException {
    drainQueue(); // frames other senders queued while we wrote: one flush for all
    if (!(moreInputBuffered && Thread.currentThread() == reader)) {
      frames.flush();
    }
  }

  /**
   * Flushes replies the reader held back; called on the reader thread before a read that may block. Never waits
   * for the lock: its holder flushes when done, and a reader blocked behind a writer stuck on a full pipe would
   * deadlock with a peer that is itself blocked writing to us.
   */
  private void flushDeferred() throws IOException {
    moreInputBuffered = false;
    if (writeLock.tryLock()) {
      try {
        if (frames.unflushed()) {
          frames.flush();
        }
      } finally {
        writeLock.unlock();
      }
    }
  }

  @Override
  public void send(O message) {
    if (closed.isDone()) {
      throw closedError();
    }
    if (!writeLock.tryLock()) {
      if (queue.offer(message)) {
        LockSupport.unpark(writer); // another write holds the stream: wait in line, do not block
        return;
      }
      lockForWrite(); // the line is full too: backpressure, wait (bounded) until the peer reads
    }
    try {
      drainQueue(); // frames queued earlier go first
      frames.write(message);
      finishWrite();
    } catch (IOException e) {
      throw writeFailed(e);
    } finally {
      writeLock.unlock();
    }
  }

  /** Frames all of {@code messages} into as few writes as fit 64 KiB each, with one flush; blocks like send. */
  @Override
  public void sendBatch(List<? extends O> messages) {
    if (closed.isDone()) {
      throw closedError();
    }
    lockForWrite();
    try {
      drainQueue();
      for (O message : messages) {
        frames.write(message);
      }
      finishWrite();
    } catch (IOException e) {
      throw writeFailed(e);
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public void offer(O message) {
    if (closed.isDone()) {
      throw closedError();
    }
    if (!queue.offer(message)) {
      throw new IllegalStateException(queue.fullMessage(description));
    }
    LockSupport.unpark(writer);
  }

  /**
   * Closes the transport after a failed write and says so to the sender: if the write failed because the peer
   * was given up for not reading, that is what the sender hears.
   */
  private RuntimeException writeFailed(IOException e) {
    closeWith(e);
    String why = stalled;
    if (why != null) {
      return new IllegalStateException(why, e);
    }
    return new UncheckedIOException("cannot write to " + description + ": " + e.getMessage(), e);
  }

  private RuntimeException closedError() {
    String why = stalled;
    if (why != null) {
      return new IllegalStateException(why);
    }
    String message = "cannot write to " + description + ": the channel is closed";
    return new UncheckedIOException(message, new IOException(message));
  }

  @Override
  public void sendAndClose(O message) {
    if (writeLock.tryLock()) {
      try {
        drainQueue();
        frames.write(message);
        frames.flush();
      } catch (IOException e) {
        log.fine(() -> "could not send the last frame to " + description + ": " + e);
      } finally {
        writeLock.unlock();
      }
      closeWith(failure);
      return;
    }
    // A write is in progress, perhaps blocked on a peer that does not read: leave the last frame to the writer.
    try {
      offer(message); // queued first, then flagged: the writer must never see the flag before the frame
      closeWhenDrained = true;
      LockSupport.unpark(writer);
    } catch (RuntimeException e) {
      log.fine(() -> "could not queue the last frame to " + description + ": " + e);
      closeWith(failure);
    }
  }

  @Override
  public void writeRaw(byte[] bytes) {
    lockForWrite();
    try {
      drainQueue();
      frames.writeRaw(bytes);
      frames.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writeLock.unlock();
    }
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

  private void closeOutput() {
    try {
      out.close();
    } catch (IOException e) {
      log.fine(() -> "closing output to " + description + ": " + e);
    }
  }

  private void closeWith(Throwable cause) {
    if (!closed.complete(cause)) {
      return;
    }
    // Closing our write end is what tells the peer we are gone: it reads end-of-stream. A writer blocked on a full
    // pipe holds the stream's lock until the peer reads or dies; then the close waits on a thread of its own, so
    // that it never holds up the thread that called us.
    if (writeLock.tryLock()) {
      try {
        drainQueue(); // an orderly close still delivers what was queued
        frames.flush();
      } catch (IOException e) {
        log.fine(() -> "dropping queued frames to " + description + ": " + e);
      } finally {
        closeOutput();
        writeLock.unlock();
      }
    } else {
      Thread closer = new Thread(this::closeOutput, threadName + "-closer");
      closer.setDaemon(true);
      closer.start();
    }
    try {
      in.close();
    } catch (IOException e) {
      log.fine(() -> "closing input from " + description + ": " + e);
    }
    LockSupport.unpark(writer);
    TransportListener<I> l = listener;
    if (l != null) {
      l.onClosed(cause);
    }
  }
}
