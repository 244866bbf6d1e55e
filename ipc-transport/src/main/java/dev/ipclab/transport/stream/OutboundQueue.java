package dev.ipclab.transport.stream;

import com.google.protobuf.MessageLite;
import dev.ipclab.transport.frame.FrameEncoder;
import dev.ipclab.transport.frame.Frames;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Frames waiting for a stream transport's writer, bounded in frames and in bytes, so a peer that stops reading
 * cannot make the sender hold more than {@link #MAX_BYTES} for it.
 */
final class OutboundQueue<O extends MessageLite> {
  /** Frames that may wait for a peer that does not read before offers fail. */
  static final int MAX_FRAMES = 1024;
  /** Bytes that may wait, whatever the frame count, before offers fail: the same bound as the socket transports. */
  static final long MAX_BYTES = 16 * 1024 * 1024;

  private final BlockingQueue<O> frames = new ArrayBlockingQueue<>(MAX_FRAMES);
  /** The frame bytes in {@link #frames}: added before a frame goes in, taken off when it comes out. */
  private final AtomicLong bytes = new AtomicLong();

  /** Queues {@code message} unless the queue is full in frames or in bytes; one frame always fits. */
  boolean offer(O message) {
    int size = FrameEncoder.frameBytes(message);
    if (bytes.addAndGet(size) > MAX_BYTES && bytes.get() != size) {
      bytes.addAndGet(-size);
      return false;
    }
    if (!frames.offer(message)) {
      bytes.addAndGet(-size);
      return false;
    }
    return true;
  }

  /** The oldest frame, or null if none waits. */
  O poll() {
    O next = frames.poll();
    if (next != null) {
      bytes.addAndGet(-FrameEncoder.frameBytes(next));
    }
    return next;
  }

  boolean isEmpty() {
    return frames.isEmpty();
  }

  /** Why an offer to {@code description} failed, for people. */
  String fullMessage(String description) {
    return frames.size() + " frames (" + Frames.describeBytes(bytes.get()) + ") are already waiting to be written to "
        + description + ", over the limit of " + MAX_FRAMES + " frames or " + Frames.describeBytes(MAX_BYTES)
        + "; it is not reading: it may be stopped (SIGSTOP) or stuck";
  }
}
