package dev.ipclab.transport.fault;

import dev.ipclab.transport.Transport;

/**
 * Writes bytes to a transport's channel as they are, outside the framing: how fault injection and tests play a
 * broken peer. The ipclab transports implement it next to {@link Transport}, which stays what a user needs.
 */
public interface RawByteSink {

  /** Writes and flushes {@code bytes} after the frames already sent, with no length prefix. */
  void writeRaw(byte[] bytes);

  /**
   * The raw side of {@code transport}.
   *
   * @throws UnsupportedOperationException if the transport cannot write raw bytes
   */
  static RawByteSink of(Transport<?, ?> transport) {
    if (transport instanceof RawByteSink sink) {
      return sink;
    }
    throw new UnsupportedOperationException(transport.getClass().getSimpleName() + " to " + transport.describe()
        + " cannot write raw bytes");
  }
}
