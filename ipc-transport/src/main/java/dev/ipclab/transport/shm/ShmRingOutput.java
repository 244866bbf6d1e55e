package dev.ipclab.transport.shm;

import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.ProtocolException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * The producer end of a {@link ShmRing} as a blocking stream: each write publishes its bytes at once and rings
 * the consumer's doorbell only if it said it is going to sleep (see {@link ShmRingInput} for the protocol).
 *
 * <p>A full ring is backpressure, as a full pipe is: the writer waits, polling with
 * {@link BackoffIdleStrategy#FULL_RING}, until the consumer frees room, closes, or is gone.
 */
final class ShmRingOutput extends OutputStream {
  private static final Logger log = Logger.getLogger(ShmRingOutput.class.getName());

  private final ShmRing ring;
  private final OutputStream doorbell;
  private final BooleanSupplier peerGone;
  private final String peer;
  private final IdleStrategy backoff = new BackoffIdleStrategy(BackoffIdleStrategy.FULL_RING);
  private volatile boolean closed;

  /**
   * @param doorbell the pipe the consumer blocks on; closing this stream closes it, which the peer reads as our end
   * @param peerGone whether this side has learned that the peer is gone (from its own doorbell)
   * @param peer who reads the ring, for errors
   */
  ShmRingOutput(ShmRing ring, OutputStream doorbell, BooleanSupplier peerGone, String peer) {
    this.ring = ring;
    this.doorbell = doorbell;
    this.peerGone = peerGone;
    this.peer = peer;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] src, int off, int len) throws IOException {
    backoff.reset();
    while (len > 0) {
      if (closed) {
        throw new IOException("the shm ring to " + peer + " is closed");
      }
      if (ring.readerClosed() || peerGone.getAsBoolean()) {
        throw new IOException("broken shm ring: " + peer + " no longer reads it");
      }
      int n;
      try {
        n = ring.write(src, off, len);
      } catch (ProtocolException e) {
        throw new ProtocolException(e.code(), "shm ring to " + peer + ": " + e.getMessage(), e);
      }
      if (n > 0) {
        off += n;
        len -= n;
        if (ring.claimWakeUp()) {
          ring();
        }
        backoff.reset();
      } else {
        backoff.idle();
      }
    }
  }

  private void ring() {
    synchronized (doorbell) { // the transport's closer thread may ring at the same time as a sender
      try {
        doorbell.write(1);
        doorbell.flush();
      } catch (IOException e) {
        // The peer is gone or closing; its own doorbell or its exit tells this side so.
        log.fine(() -> "cannot ring the doorbell of " + peer + ": " + e);
      }
    }
  }

  /** Bytes are published as they are written; nothing waits here. */
  @Override
  public void flush() {}

  /** Marks the end of the stream after what was written, wakes the consumer, and closes the doorbell. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    ring.closeWriter();
    ring();
    synchronized (doorbell) {
      try {
        doorbell.close();
      } catch (IOException e) {
        log.fine(() -> "closing the doorbell of " + peer + ": " + e);
      }
    }
  }
}
