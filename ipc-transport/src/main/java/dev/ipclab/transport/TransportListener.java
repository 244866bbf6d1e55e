package dev.ipclab.transport;

/** Receives what a {@link Transport} reads, on the transport's reading thread. */
public interface TransportListener<I> {

  /** One decoded inbound message. */
  void onMessage(I message);

  /**
   * The peer broke the framing or sent bytes that do not parse. The transport stops reading; the listener may
   * send a last error reply with {@link Transport#sendAndClose}. By default the transport is just closed.
   */
  default void onProtocolError(ProtocolException error) {}

  /** The channel closed; {@code cause} is null for an orderly end of stream. Called exactly once. */
  default void onClosed(Throwable cause) {}
}
