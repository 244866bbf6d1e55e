package dev.ipclab.transport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ipclab.transport.netty.EventLoops;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The transport contract for {@code uds}: Netty's native epoll on a Unix socket in a temporary directory. */
class UdsTransportConformanceTest extends SocketTransportConformanceTest {
  @TempDir Path dir;

  @BeforeEach
  void needsNativeEpoll() {
    assumeTrue(EventLoops.nativeAvailable(), "Unix sockets need Netty's native epoll, which did not load here");
  }

  @Override
  SocketAddress bindAddress() {
    return new DomainSocketAddress(dir.resolve("ipc.sock").toString());
  }

  @Override
  TransportKind kind() {
    return TransportKind.UDS;
  }
}
