package dev.ipclab.transport.shm;

import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.ProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;

/**
 * The consumer end of a {@link ShmRing} as a blocking stream, waiting by the {@link IdleStrategy}; its doorbell
 * (a pipe from the peer) wakes it in block mode and, in both modes, tells it the peer is gone by end of stream. A
 * strategy that polls makes it wait with {@link BackoffIdleStrategy#RING_READER} (spin, yield, park), never on
 * the doorbell.
 *
 * <p>Why no wake-up is lost in block mode. The reader, finding the ring empty, (1) stores
 * {@code reader_sleeping = 1}, (2) loads the tail again, and only if that shows nothing new (3) blocks reading its
 * doorbell. The writer (1') stores the new tail, (2') loads {@code reader_sleeping}, and if it is set (3') writes
 * one byte to the doorbell. All four accesses are volatile, so they fall in one total order: if (2) misses the
 * new tail, then (1') comes after (2), hence after (1), and (2') sees the flag and rings; if (2') misses the flag,
 * (2) sees the tail and the reader does not block. Both may happen; the extra byte only makes a later wait return
 * at once, and the loop then checks the ring again. The doorbell is a pipe, so a byte written before the reader
 * blocks is not lost: the read returns at once.
 *
 * <p>In spin mode the reader never blocks on the doorbell; a daemon thread reads it instead, only to learn of the
 * peer's death (end of stream, which the kernel delivers even after SIGKILL) and to wake the reader.
 */
final class ShmRingInput extends InputStream {
  private static final Logger log = Logger.getLogger(ShmRingInput.class.getName());

  private final ShmRing ring;
  private final InputStream doorbell;
  private final String peer;
  /** Whether the reader polls; then it never sleeps on the doorbell, which a thread of its own reads. */
  private final boolean polling;
  private final IdleStrategy backoff;
  private final byte[] chimes = new byte[64];
  private volatile boolean closed;
  private volatile boolean peerGone;
  private volatile Thread reader;

  /**
   * @param doorbell the pipe the peer rings and whose end of stream means the peer is gone
   * @param peer who writes into the ring, for logs
   */
  ShmRingInput(ShmRing ring, IdleStrategy idle, InputStream doorbell, String peer, String threadName) {
    this.ring = ring;
    this.doorbell = doorbell;
    this.peer = peer;
    this.polling = idle.polls();
    this.backoff = polling ? new BackoffIdleStrategy(BackoffIdleStrategy.RING_READER) : idle.fresh();
    if (polling) {
      Thread watch = new Thread(this::watchDoorbell, threadName + "-doorbell");
      watch.setDaemon(true);
      watch.start();
    }
  }

  /** Whether the doorbell reached end of stream: the peer closed it or died. */
  boolean peerGone() {
    return peerGone;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] dst, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    reader = Thread.currentThread();
    backoff.reset();
    while (true) {
      int n = take(dst, off, len);
      if (n > 0) {
        return n;
      }
      if (closed) {
        throw new IOException("the shm ring from " + peer + " was closed by this side");
      }
      if (ring.writerClosed() || peerGone) {
        // The writer publishes its last bytes before it closes or dies: read what is left, then end of stream.
        n = take(dst, off, len);
        return n > 0 ? n : -1;
      }
      if (!backoff.idle() && !polling) { // a polling reader's back-off ends in parks of up to 1 ms
        sleepOnDoorbell();
      }
    }
  }

  private int take(byte[] dst, int off, int len) throws ProtocolException {
    try {
      return ring.read(dst, off, len);
    } catch (ProtocolException e) {
      throw new ProtocolException(e.code(), "shm ring from " + peer + ": " + e.getMessage(), e);
    }
  }

  /** Block mode: flag, check again, then block on the doorbell (see the class comment for the race). */
  private void sleepOnDoorbell() throws IOException {
    ring.readerSleeping(true);
    try {
      if (ring.available() > 0 || ring.writerClosed() || closed) {
        return;
      }
      if (doorbell.read(chimes, 0, chimes.length) < 0) {
        peerGone = true;
      }
    } catch (IOException e) {
      if (closed) {
        throw e;
      }
      log.fine(() -> "doorbell from " + peer + " failed: " + e + "; taking the peer as gone");
      peerGone = true;
    } finally {
      ring.readerSleeping(false);
      backoff.reset();
    }
  }

  private void watchDoorbell() {
    try {
      while (doorbell.read(chimes, 0, chimes.length) >= 0) {
        // Spinning readers are never rung; bytes here are stray output (a thread dump on stdout, say): ignored.
      }
    } catch (IOException e) {
      log.fine(() -> "doorbell from " + peer + " failed: " + e + "; taking the peer as gone");
    }
    peerGone = true;
    LockSupport.unpark(reader);
  }

  @Override
  public int available() {
    return ring.available();
  }

  /** Tells the producer that nobody reads any more, and wakes a waiting reader. */
  @Override
  public void close() {
    closed = true;
    ring.closeReader();
    LockSupport.unpark(reader);
  }
}
