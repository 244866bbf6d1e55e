package dev.ipclab.cli.conform;

import dev.ipclab.transport.TransportKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/**
 * The parent's end of a worker's channel, per transport, as the pool sets it up: on a pipe the worker's own stdin
 * and stdout; on uds a socket file of mode 0600 in a private directory; on tcp a listening socket on 127.0.0.1 with
 * an ephemeral port. The worker is told where in IPCLAB_CONNECT.
 */
final class ParentEndpoint implements AutoCloseable {
  /** The two directions of an established channel, and the socket to close with them (null on a pipe). */
  record Channel(InputStream in, OutputStream out, SocketChannel socket) {}

  private final TransportKind kind;
  private final ServerSocketChannel server;
  private final Path socketFile;
  private final String connect;
  private SocketChannel accepted;

  private ParentEndpoint(TransportKind kind, ServerSocketChannel server, Path socketFile, String connect) {
    this.kind = kind;
    this.server = server;
    this.socketFile = socketFile;
    this.connect = connect;
  }

  /** Listens (for sockets) in {@code dir}, a private directory the caller removes. */
  static ParentEndpoint open(TransportKind kind, Path dir) throws IOException {
    return switch (kind) {
      case PIPE -> new ParentEndpoint(kind, null, null, null);
      case UDS -> {
        Path file = dir.resolve("w.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(file));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        server.configureBlocking(false);
        yield new ParentEndpoint(kind, server, file, file.toString());
      }
      case TCP -> {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        server.configureBlocking(false);
        InetSocketAddress bound = (InetSocketAddress) server.getLocalAddress();
        yield new ParentEndpoint(kind, server, null, bound.getAddress().getHostAddress() + ":" + bound.getPort());
      }
      case SHM -> throw new IllegalArgumentException("conform drives pipe, uds and tcp workers; shm is not offered"
          + " to workers outside the JVM");
    };
  }

  /** What goes into IPCLAB_CONNECT: null on a pipe, the socket path, or {@code 127.0.0.1:port}. */
  String connect() {
    return connect;
  }

  /**
   * The established channel: at once on a pipe; on a socket the first connection, waited for until the deadline
   * or the worker's exit. Null if none came (the caller reports why).
   */
  Channel await(Process worker, long deadlineNanos) throws IOException, InterruptedException {
    if (kind == TransportKind.PIPE) {
      return new Channel(worker.getInputStream(), worker.getOutputStream(), null);
    }
    while (System.nanoTime() < deadlineNanos) {
      SocketChannel ch = server.accept();
      if (ch != null) {
        ch.configureBlocking(true);
        if (kind == TransportKind.TCP) {
          ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        }
        accepted = ch;
        return new Channel(inputOf(ch), outputOf(ch), ch);
      }
      if (!worker.isAlive()) {
        return null;
      }
      TimeUnit.MILLISECONDS.sleep(5);
    }
    return null;
  }

  // Straight to the channel's read and write, which take separate locks: the streams of Channels.newInputStream
  // hold the channel's blocking lock while they wait, which would keep the writer out while the reader waits.
  private static InputStream inputOf(SocketChannel ch) {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        int n = ch.read(ByteBuffer.wrap(b, off, len));
        return n < 0 ? -1 : n;
      }
    };
  }

  private static OutputStream outputOf(SocketChannel ch) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b, off, len);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
    };
  }

  @Override
  public void close() {
    try {
      if (accepted != null) {
        accepted.close();
      }
      if (server != null) {
        server.close();
      }
      if (socketFile != null) {
        Files.deleteIfExists(socketFile);
      }
    } catch (IOException e) {
      // the directory goes with the run; nothing else holds these
    }
  }
}
