package dev.ipclab.transport;

import com.google.protobuf.MessageLite;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Moves framed protobuf messages over one OS channel (a pipe pair, a TCP or a Unix socket, shared-memory rings);
 * knows nothing of message kinds.
 *
 * <p>Callers see the same API on every transport, so a new one (the shared-memory rings were one) or a new idle
 * strategy changes nothing above this line. Inbound messages go to the {@link TransportListener} given to
 * {@link #start}, on the thread that read them: that thread finishes the work or hands it on without a
 * blocking wake-up, because a hop between threads costs as much as the IPC itself.
 *
 * <pre>
 *   new ──start()──▶ open ──close() / peer closed / protocol error──▶ closed
 * </pre>
 *
 * @param <I> the inbound envelope type
 * @param <O> the outbound envelope type
 */
public interface Transport<I extends MessageLite, O extends MessageLite> extends AutoCloseable {

  /** Starts delivering inbound messages to {@code listener}. Call once. */
  void start(TransportListener<I> listener);

  /**
   * Makes {@code next} the listener from the next inbound message on, in place of the one now in charge; the
   * close and protocol-error callbacks go to {@code next} too. A handshake listener calls it on the reading thread
   * once the handshake is done, and so gets out of the way of every later frame (Netty's habit of a handshake
   * handler removing itself from the pipeline).
   *
   * @throws IllegalStateException if the transport has not been started
   * @throws UnsupportedOperationException if this transport cannot hand over (the default)
   */
  default void handOver(TransportListener<I> next) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " to " + describe()
        + " cannot hand its listener over");
  }

  /**
   * Frames, writes and flushes {@code message}, on the caller's thread when the channel is free (no thread hop on
   * the hot path). Thread-safe; frames never interleave, and one thread's frames keep their order. May block
   * while the OS channel is full, which is backpressure from a peer that does not read: on a pipe for at most the
   * send wait limit (30 s), after which a peer that read nothing is given up and the channel closed (see
   * {@link StreamTransport}); on tcp/uds while more than 1 MiB waits, for at most 30 s (see {@link NettyTransport}).
   * Interruptibly, both. A send on a socket's own event loop never waits.
   *
   * @throws java.io.UncheckedIOException if the transport is closed (a close racing the send may instead drop the
   *     frame silently: the peer is gone either way), or if the caller is interrupted while a socket send waits
   * @throws IllegalStateException if the peer has not read for the whole wait
   */
  void send(O message);

  /**
   * Sends {@code messages} in order, as {@link #send} would one by one, but framed into as few writes as possible
   * with one flush at the end: for a caller that has a burst to send (a stream of one-way messages, say). The
   * messages of one batch are never interleaved with other frames. Blocks as {@link #send} does.
   *
   * <p>The default sends them one by one; the ipclab transports override it.
   */
  default void sendBatch(List<? extends O> messages) {
    for (O message : messages) {
      send(message);
    }
  }

  /**
   * Queues {@code message} for sending and returns at once, never blocking: for supervisors, heartbeats and
   * anything that must not hang on a peer that stopped reading.
   *
   * @throws IllegalStateException if too many frames are already waiting for a peer that does not read
   * @throws java.io.UncheckedIOException if the transport is closed
   */
  void offer(O message);

  /**
   * Stops reading for {@code millis} before the next frame reaches the listener, so the peer's writes back up in
   * the OS channel and the peer's buffers: a slow reader, for chaos runs and tests. Only reading stops: sends,
   * offers and heartbeats go on. Requests made before the pause begins merge into the longest. Any thread.
   *
   * @throws UnsupportedOperationException if this transport cannot pause (the default)
   */
  default void pauseReading(long millis) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " to " + describe()
        + " cannot pause its reading");
  }

  /** Queues {@code message} as the last frame and closes after it, without blocking: an error reply, say. */
  void sendAndClose(O message);

  /**
   * Writes bytes as they are, outside the framing. For fault injection and tests only: it is how a test
   * plays a broken peer.
   */
  void writeRaw(byte[] bytes);

  /** Completes when the channel is closed, by either side, with the cause or null for an orderly close. */
  CompletableFuture<Throwable> closeFuture();

  /** Who is on the other end, for logs and errors: {@code "uds /tmp/ipclab-1/ipc.sock (peer pid 4242)"}. */
  String describe();

  /** Which kind of OS channel this is. */
  TransportKind kind();

  /** Closes the channel. Idempotent. */
  @Override
  void close();
}
