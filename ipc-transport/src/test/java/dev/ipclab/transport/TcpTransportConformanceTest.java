package dev.ipclab.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** The transport contract for {@code tcp}: Netty on loopback, an ephemeral port. */
class TcpTransportConformanceTest extends SocketTransportConformanceTest {
  @Override
  SocketAddress bindAddress() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  }

  @Override
  TransportKind kind() {
    return TransportKind.TCP;
  }
}
