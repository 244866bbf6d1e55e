package dev.ipclab.transport;

import com.google.protobuf.MessageLite;
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
   * Frames, writes and flushes {@code message}, on the caller's thread when the channel is free (no thread hop on
   * the hot path). Thread-safe; frames never interleave, and one thread's frames keep their order. May block
   * while the OS channel is full, which is backpressure from a peer that does not read.
   *
   * @throws java.io.UncheckedIOException if the transport is closed (a close racing the send may instead drop the
   *     frame silently: the peer is gone either way)
   */
  void send(O message);

  /**
   * Queues {@code message} for sending and returns at once, never blocking: for supervisors, heartbeats and
   * anything that must not hang on a peer that stopped reading.
   *
   * @throws IllegalStateException if too many frames are already waiting for a peer that does not read
   * @throws java.io.UncheckedIOException if the transport is closed
   */
  void offer(O message);

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
