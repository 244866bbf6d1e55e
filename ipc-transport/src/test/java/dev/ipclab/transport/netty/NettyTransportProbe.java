package dev.ipclab.transport.netty;

/** What tests outside this package may read of a {@link NettyTransport}'s backpressure. */
public final class NettyTransportProbe {
  /** See {@link NettyTransport#HIGH_WATER_BYTES}. */
  public static final int HIGH_WATER_BYTES = NettyTransport.HIGH_WATER_BYTES;

  private NettyTransportProbe() {}

  /** Bytes written to the channel but not yet to the socket. */
  public static long pendingBytes(NettyTransport<?, ?> transport) {
    return transport.pendingBytes();
  }
}
