package dev.ipclab.transport.netty;

import dev.ipclab.transport.frame.Frames;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Where a sender waits while a {@link NettyTransport}'s channel is unwritable, as a write blocks on a full pipe:
 * until it drains, the channel closes, the caller is interrupted or the send wait limit passes.
 */
final class SendGate {
  private final Channel channel;
  private final Supplier<String> description;
  private final Object writability = new Object();
  private volatile long waitNanos = TimeUnit.SECONDS.toNanos(30);

  SendGate(Channel channel, Supplier<String> description) {
    this.channel = channel;
    this.description = description;
  }

  /** How long {@link #await} waits for a peer that does not read before it fails. */
  void limit(Duration limit) {
    this.waitNanos = limit.toNanos();
  }

  /** Bytes written to the channel but not yet to the socket, queued envelopes included; 0 once closed. */
  long pendingBytes() {
    ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes();
  }

  /** Fails unless the channel is open. */
  void requireOpen() {
    if (!channel.isOpen()) {
      String m = "cannot write to " + description.get() + ": the channel is closed";
      throw new UncheckedIOException(m, new IOException(m));
    }
  }

  /** Waits while the channel is unwritable, except on its own event loop, which must never wait for itself. */
  void await() {
    requireOpen();
    if (channel.isWritable() || channel.eventLoop().inEventLoop()) {
      return;
    }
    long limit = waitNanos;
    long deadline = System.nanoTime() + limit;
    synchronized (writability) {
      while (!channel.isWritable() && channel.isOpen()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException(description.get() + " has not read for "
              + TimeUnit.NANOSECONDS.toMillis(limit) + " ms while " + Frames.describeBytes(pendingBytes())
              + " wait to be written to it; it may be stopped (SIGSTOP) or stuck. The send was dropped; the"
              + " supervisor should replace the peer.");
        }
        try {
          // A short slice, so that a wake-up lost to a race costs at most 10 ms.
          writability.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 10)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          String m = "interrupted while waiting to write to " + description.get() + ", which is not reading";
          throw new UncheckedIOException(m, new InterruptedIOException(m));
        }
      }
    }
    requireOpen();
  }

  /** The channel became writable again, or closed: every waiting sender looks again. */
  void wake() {
    synchronized (writability) {
      writability.notifyAll();
    }
  }
}
