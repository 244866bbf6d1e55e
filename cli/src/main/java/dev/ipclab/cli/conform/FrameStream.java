package dev.ipclab.cli.conform;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.frame.BytePreview;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Conform's own end of one channel to a worker, byte for byte: a reader thread that splits what the worker writes
 * into varint-delimited {@link WorkerEnvelope} frames and keeps every one with its arrival time, and a writer whose
 * every write has a deadline.
 *
 * <p>Unlike the pool's transports it tolerates nothing and hides nothing: bytes that are not a frame (a length
 * over the cap, a body that does not parse, parses only with unknown fields or no kind, or a frame left incomplete)
 * are kept as evidence, and the stream is then out of sync: nothing after them is trusted.
 */
final class FrameStream implements AutoCloseable {
  /** One frame from the worker, when it was read, and its size on the wire (prefix included). */
  record Arrival(WorkerEnvelope envelope, long nanos, int wireBytes) {}

  private static final int PREVIEW_BYTES = 160;
  /** An unfinished frame with no byte for this long is taken for stray output: a worker writes frames whole. */
  static final long STALL_MILLIS = 2_000;

  private final InputStream in;
  private final OutputStream out;
  private final int maxFrameBytes;
  private final Thread reader;
  private final ExecutorService writer;
  private final List<Arrival> arrivals = new ArrayList<>();
  /** The bytes of the frame being read; what a stall or a bad frame shows. */
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  /** When the last byte of an unfinished frame arrived; 0 while no frame is waiting for bytes. */
  private long waitingSinceNanos;
  private String outOfSync;
  private boolean ended;
  private String endCause;
  private long frames;

  FrameStream(InputStream in, OutputStream out, int maxFrameBytes, String name) {
    this.in = new java.io.BufferedInputStream(in, 64 * 1024);
    this.out = out;
    this.maxFrameBytes = maxFrameBytes;
    this.writer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, name + "-writer");
      t.setDaemon(true);
      return t;
    });
    this.reader = new Thread(this::readLoop, name + "-reader");
    reader.setDaemon(true);
    reader.start();
  }

  private void readLoop() {
    try {
      while (true) {
        long length = readVarint();
        if (length < 0) {
          end(null);
          return;
        }
        if (length > maxFrameBytes) {
          desync("a length prefix of " + length + " bytes, over the cap of " + maxFrameBytes + " bytes");
          drainAfterDesync();
          return;
        }
        byte[] body = readBody((int) length);
        if (body == null) {
          synchronized (this) { // both at once: a waiter woken by one sees the other
            desync("end of stream in the middle of a frame (" + partialLength() + " bytes of a frame that announced "
                + length + ")");
            end(null);
          }
          return;
        }
        WorkerEnvelope envelope;
        try {
          envelope = WorkerEnvelope.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
          desync("a frame of " + length + " bytes that is not a WorkerEnvelope (" + e.getMessage() + ")");
          drainAfterDesync();
          return;
        }
        if (envelope.getKindCase() == WorkerEnvelope.KindCase.KIND_NOT_SET
            || !envelope.getUnknownFields().asMap().isEmpty()) {
          desync("a frame of " + length + " bytes that parses only as an envelope with "
              + (envelope.getKindCase() == WorkerEnvelope.KindCase.KIND_NOT_SET ? "no kind" : "unknown fields"));
          drainAfterDesync();
          return;
        }
        synchronized (this) {
          partial.reset();
          frames++;
          arrivals.add(new Arrival(envelope, System.nanoTime(), (int) length + prefixBytes(length)));
          notifyAll();
        }
      }
    } catch (IOException e) {
      end(e.getMessage());
    }
  }

  /** The next varint, or -1 at a clean end of stream before its first byte. */
  private long readVarint() throws IOException {
    long value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      int b = in.read();
      if (b < 0) {
        if (shift == 0) {
          return -1;
        }
        synchronized (this) {
          desync("end of stream inside a length prefix");
          end(null);
        }
        return -1;
      }
      keep(b);
      value |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    return Long.MAX_VALUE; // more than five bytes: no 32-bit length, over any cap
  }

  private byte[] readBody(int length) throws IOException {
    if (length == 0) {
      synchronized (this) {
        waitingSinceNanos = 0;
      }
    }
    byte[] body = new byte[length];
    int done = 0;
    while (done < length) {
      int n = in.read(body, done, length - done);
      if (n < 0) {
        return null;
      }
      done += n;
      synchronized (this) {
        partial.write(body, done - n, n);
        // Complete: no longer waiting for bytes, however long the parse takes (class loading, a loaded machine).
        waitingSinceNanos = done < length ? System.nanoTime() : 0;
      }
    }
    return body;
  }

  private synchronized void keep(int b) {
    partial.write(b);
    waitingSinceNanos = System.nanoTime(); // a frame has begun; its body, if any, is still to come
  }

  private synchronized int partialLength() {
    return partial.size();
  }

  /** After bytes that are not a frame: keeps a little more of what follows for the evidence, then ends. */
  private void drainAfterDesync() {
    byte[] buf = new byte[4096];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        synchronized (this) {
          if (partial.size() < PREVIEW_BYTES * 4) {
            partial.write(buf, 0, n);
            outOfSyncPreview = BytePreview.of(Arrays.copyOf(partial.toByteArray(),
                Math.min(partial.size(), PREVIEW_BYTES)));
          }
        }
      }
      end(null);
    } catch (IOException e) {
      end(e.getMessage());
    }
  }

  private String outOfSyncPreview;

  private synchronized void desync(String what) {
    if (outOfSync != null) {
      return;
    }
    byte[] seen = partial.toByteArray();
    outOfSyncPreview = BytePreview.of(Arrays.copyOf(seen, Math.min(seen.length, PREVIEW_BYTES)));
    outOfSync = what + ", after " + frames + " good frame" + (frames == 1 ? "" : "s");
    notifyAll();
  }

  private synchronized void end(String cause) {
    if (!ended) {
      ended = true;
      endCause = cause;
      notifyAll();
    }
  }

  /**
   * Declares the stream out of sync when a frame has been incomplete for {@code millis}: a worker writes each
   * frame whole, so bytes that stop mid-frame are stray output (a print) that announced a length never filled.
   */
  synchronized boolean stalled(long millis) {
    if (outOfSync == null && !ended && waitingSinceNanos != 0
        && System.nanoTime() - waitingSinceNanos > TimeUnit.MILLISECONDS.toNanos(millis)) {
      desync("an incomplete frame: " + partial.size() + " bytes arrived, then nothing for " + millis + " ms");
    }
    return outOfSync != null;
  }

  /** Why the stream is out of sync, or null while every byte so far was part of a frame. */
  synchronized String outOfSync() {
    return outOfSync;
  }

  /** The first bytes from where the stream went out of sync, printable; null while in sync. */
  synchronized String outOfSyncBytes() {
    return outOfSync == null ? null : outOfSyncPreview;
  }

  synchronized boolean ended() {
    return ended;
  }

  synchronized String endCause() {
    return endCause;
  }

  /** Every frame so far, in arrival order. */
  synchronized List<Arrival> arrivals() {
    return List.copyOf(arrivals);
  }

  /**
   * Waits until {@code condition} holds over the frames so far, the stream ends or goes out of sync, or the deadline
   * passes (a frame waiting {@value #STALL_MILLIS} ms for its next byte counts as out of sync). Returns whether the condition held.
   */
  boolean await(java.util.function.Predicate<List<Arrival>> condition, long deadlineNanos)
      throws InterruptedException {
    while (true) {
      synchronized (this) {
        if (condition.test(arrivals)) {
          return true;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0 || ended || outOfSync != null) {
          return false;
        }
        wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 100)));
      }
      stalled(STALL_MILLIS);
    }
  }

  /** Writes one frame; fails if it is not written within {@code timeoutMillis} (a worker that does not read). */
  void send(ParentEnvelope envelope, long timeoutMillis) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(envelope.getSerializedSize() + 5);
    envelope.writeDelimitedTo(bytes);
    sendRaw(bytes.toByteArray(), timeoutMillis);
  }

  /** Writes {@code bytes} as they are, within {@code timeoutMillis}. */
  void sendRaw(byte[] bytes, long timeoutMillis) throws IOException {
    Future<?> write = writer.submit(() -> {
      out.write(bytes);
      out.flush();
      return null;
    });
    try {
      write.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      write.cancel(true);
      throw new IOException(bytes.length + " bytes not written within " + timeoutMillis
          + " ms: the worker does not read what it is sent");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while writing to the worker", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException(e.getCause().getMessage(), e.getCause());
    }
  }

  /** Queues a frame without waiting for it (heartbeats); false if writes are backing up. */
  boolean offer(ParentEnvelope envelope) {
    if (writer.isShutdown()) {
      return false;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      envelope.writeDelimitedTo(bytes);
      writer.submit(() -> {
        out.write(bytes.toByteArray());
        out.flush();
        return null;
      });
      return true;
    } catch (IOException | java.util.concurrent.RejectedExecutionException e) {
      return false;
    }
  }

  static int prefixBytes(long length) {
    int n = 1;
    while (length >= 0x80) {
      length >>>= 7;
      n++;
    }
    return n;
  }

  /** Stops writing; the reader ends with the stream, which the owner closes. */
  @Override
  public void close() {
    writer.shutdownNow();
  }

  /** Waits up to {@code millis} for the reader thread to finish, after the stream was closed. */
  void join(long millis) throws InterruptedException {
    reader.join(millis);
  }
}
