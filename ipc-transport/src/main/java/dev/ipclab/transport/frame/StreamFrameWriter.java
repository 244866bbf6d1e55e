package dev.ipclab.transport.frame;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Frames messages into one reused 64 KiB batch buffer and hands it to the stream in one write when it is full or
 * flushed: a burst of small frames costs one system call, and no frame is copied into a {@code byte[]} of its own.
 * A frame larger than the batch is streamed through on its own. Not thread-safe: the caller holds the write lock.
 */
public final class StreamFrameWriter {
  public static final int BATCH_BYTES = 64 * 1024;

  private final OutputStream out;
  private final byte[] batch = new byte[BATCH_BYTES];
  private CodedOutputStream coded = CodedOutputStream.newInstance(batch);
  private boolean unflushed;
  /**
   * Writes to the stream that returned: read without the lock by a watchdog that tells a peer that reads slowly
   * from one that reads nothing (a blocked write never returns).
   */
  private volatile long progress;

  public StreamFrameWriter(OutputStream out) {
    this.out = out;
  }

  /** Adds one frame to the batch; writes the batch out first if the frame does not fit. */
  public void write(MessageLite message) throws IOException {
    int body = message.getSerializedSize();
    int total = Frames.prefixBytes(body) + body;
    unflushed = true;
    if (coded.spaceLeft() < total) {
      writeBatch();
    }
    if (total > BATCH_BYTES) {
      CodedOutputStream big = CodedOutputStream.newInstance(out, BATCH_BYTES);
      big.writeUInt32NoTag(body);
      message.writeTo(big);
      big.flush();
      progress++;
      return;
    }
    coded.writeUInt32NoTag(body);
    message.writeTo(coded);
  }

  /** Writes bytes outside the framing, after what is batched. */
  public void writeRaw(byte[] bytes) throws IOException {
    unflushed = true;
    writeBatch();
    out.write(bytes);
    progress++;
  }

  /** Whether anything was written since the last flush. */
  public boolean unflushed() {
    return unflushed;
  }

  /** Writes the batch and flushes the stream. */
  public void flush() throws IOException {
    unflushed = false;
    writeBatch();
    out.flush();
    progress++;
  }

  /** How many writes to the stream have returned; it moves whenever the peer reads. */
  public long progress() {
    return progress;
  }

  private void writeBatch() throws IOException {
    int n = coded.getTotalBytesWritten();
    if (n > 0) {
      coded = CodedOutputStream.newInstance(batch); // before the write: a failed write must not resend the batch
      out.write(batch, 0, n);
      progress++;
    }
  }
}
