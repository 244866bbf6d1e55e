package dev.ipclab.transport.stream;

import com.google.protobuf.MessageLite;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.frame.StreamFrameWriter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The outbound side of a {@link StreamTransport}: the write lock, the bounded queue and the writer thread that
 * drains it, deferred flushes, and the send wait limit that gives up a peer that reads nothing.
 */
final class StreamOutbound<O extends MessageLite> {
  // The transport's logger: these are its messages, and log settings name it.
  private static final Logger log = Logger.getLogger(StreamTransport.class.getName());

  private final OutputStream out;
  private final StreamFrameWriter frames;
  private final String description;
  private final String threadName;
  private final TransportKind kind;
  private final CompletableFuture<Throwable> closed;
  /** Closes the transport with a cause: a failed write, or a peer given up. */
  private final Consumer<Throwable> closeWith;
  /** Closes the transport as {@link StreamTransport#close} does, once a last queued frame is out. */
  private final Runnable close;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final OutboundQueue<O> queue = new OutboundQueue<>();
  private volatile boolean closeWhenDrained;
  private volatile Thread writer;
  private volatile Thread reader;
  /** Set by the reader while it delivers a frame with another whole frame behind it: replies may wait a little. */
  private volatile boolean moreInputBuffered;
  private volatile long sendWaitNanos = TimeUnit.SECONDS.toNanos(30);
  /** Why the transport closed itself on a peer that read nothing for the send wait limit; null until then. */
  private volatile String stalled;
  // The writer thread's watch over whoever holds the stream: the progress it last saw, and since when.
  private long watchedProgress = -1;
  private long watchedSinceNanos;

  StreamOutbound(OutputStream out, String description, String threadName, TransportKind kind,
      CompletableFuture<Throwable> closed, Consumer<Throwable> closeWith, Runnable close) {
    this.out = out;
    this.frames = new StreamFrameWriter(out);
    this.description = description;
    this.threadName = threadName;
    this.kind = kind;
    this.closed = closed;
    this.closeWith = closeWith;
    this.close = close;
  }

  /** Starts the writer thread; {@code reader} is the thread whose replies may defer their flush. */
  void start(Thread reader) {
    Thread w = new Thread(this::writeLoop, threadName + "-writer");
    w.setDaemon(true);
    writer = w;
    w.start();
    this.reader = reader;
  }

  void sendWaitLimit(long nanos) {
    this.sendWaitNanos = nanos;
  }

  /** True once a last frame was queued for the writer, which then closes the transport itself. */
  boolean closingWhenDrained() {
    return closeWhenDrained;
  }

  /** Called by the reader before it delivers a frame: whether another whole frame is already behind it. */
  void moreInputBuffered(boolean more) {
    moreInputBuffered = more;
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
        closeWith.accept(e);
        return;
      }
      try {
        drainQueue();
        frames.flush();
      } catch (IOException | RuntimeException | Error e) {
        closeWith.accept(e); // a writer that died silently would leave an open transport that never writes again
        return;
      } finally {
        writeLock.unlock();
      }
      if (closeWhenDrained && queue.isEmpty()) {
        close.run();
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
    closeWith.accept(new IOException(message));
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
   * Flushes replies the reader held back; called on the reader thread before a read that may block. Never waits
   * for the lock: its holder flushes when done, and a reader blocked behind a writer stuck on a full pipe would
   * deadlock with a peer that is itself blocked writing to us.
   */
  void flushDeferred() throws IOException {
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

  /** Writes {@code message} now if the stream is free, else queues it behind the write in progress. */
  void send(O message) {
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
    writeHeld(Collections.singletonList(message));
  }

  /** Writes all of {@code messages} behind what is queued, with one flush; waits (bounded) for the stream. */
  void sendBatch(List<? extends O> messages) {
    if (closed.isDone()) {
      throw closedError();
    }
    lockForWrite();
    writeHeld(messages);
  }

  /**
   * The write of {@link #send} and {@link #sendBatch}, with the lock held, which it releases: frames queued earlier
   * go first, then {@code messages}, then one flush unless the reader replies with more input already buffered
   * (then the reader flushes before it next blocks).
   */
  private void writeHeld(List<? extends O> messages) {
    try {
      drainQueue();
      for (O message : messages) {
        frames.write(message);
      }
      drainQueue(); // frames other senders queued while we wrote: one flush for all
      if (!(moreInputBuffered && Thread.currentThread() == reader)) {
        frames.flush();
      }
    } catch (IOException e) {
      throw writeFailed(e);
    } finally {
      writeLock.unlock();
    }
  }

  /** Queues {@code message} for the writer thread; never blocks, and fails if the queue is full. */
  void offer(O message) {
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
    closeWith.accept(e);
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

  /** Sends {@code message} as the last frame, then closes the transport; never waits on a peer that does not read. */
  void sendAndClose(O message) {
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
      close.run();
      return;
    }
    // A write is in progress, perhaps blocked on a peer that does not read: leave the last frame to the writer.
    try {
      offer(message); // queued first, then flagged: the writer must never see the flag before the frame
      closeWhenDrained = true;
      LockSupport.unpark(writer);
    } catch (RuntimeException e) {
      log.fine(() -> "could not queue the last frame to " + description + ": " + e);
      close.run();
    }
  }

  void writeRaw(byte[] bytes) {
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

  /**
   * Closes our write end, which is what tells the peer we are gone: it reads end-of-stream. A writer blocked on a
   * full pipe holds the stream's lock until the peer reads or dies; then the close waits on a thread of its own, so
   * that it never holds up the thread that called us.
   */
  void closeOutput() {
    if (writeLock.tryLock()) {
      try {
        drainQueue(); // an orderly close still delivers what was queued
        frames.flush();
      } catch (IOException e) {
        log.fine(() -> "dropping queued frames to " + description + ": " + e);
      } finally {
        closeStream();
        writeLock.unlock();
      }
    } else {
      Thread closer = new Thread(this::closeStream, threadName + "-closer");
      closer.setDaemon(true);
      closer.start();
    }
  }

  private void closeStream() {
    try {
      out.close();
    } catch (IOException e) {
      log.fine(() -> "closing output to " + description + ": " + e);
    }
  }

  /** Wakes the writer thread, to see that the transport closed. */
  void wakeWriter() {
    LockSupport.unpark(writer);
  }
}
