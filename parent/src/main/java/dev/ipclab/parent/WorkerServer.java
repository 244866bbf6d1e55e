package dev.ipclab.parent;

import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.netty.EventLoops;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ScheduledExecutorService;
import java.util.logging.Logger;

/**
 * The socket workers connect to: TCP on 127.0.0.1 and an ephemeral port, or a Unix socket (mode 0600, in the
 * 0700 run directory). Loopback and file modes keep other machines and other users out; the token keeps out
 * everyone else. On the Unix socket the kernel's peer credentials must also name the spawned worker's pid, so even a
 * process of ours that read a worker's token is refused; on TCP the token is the only proof.
 */
final class WorkerServer implements AutoCloseable {
  private static final Logger log = Logger.getLogger(WorkerServer.class.getName());

  private final EventLoopGroup boss;
  private final EventLoopGroup io;
  private final Channel serverChannel;
  private final String address;
  private final Path socketFile;

  /** @param idle how the io threads wait for the workers' frames: block in epoll_wait, or spin first */
  WorkerServer(TransportKind kind, Path socketFile, int ioThreads, IdleStrategy idle, int maxFrameBytes,
      WorkerRegistry registry, ScheduledExecutorService timer, long handshakeTimeoutMs) throws InterruptedException {
    this.socketFile = kind == TransportKind.UDS ? socketFile : null;
    this.boss = EventLoops.newGroup("ipclab-accept", 1); // accepting is rare: it never spins
    this.io = EventLoops.newGroup("ipclab-io", ioThreads, idle);
    String endpoint = kind == TransportKind.UDS ? socketFile.toString() : "127.0.0.1";
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(boss, io)
        .channel(EventLoops.serverChannel(kind))
        // Nothing is read from a new connection until its handshake gate is in place.
        .childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.ALLOCATOR, EventLoops.allocator())
        .childHandler(new ParentChannelInitializer(kind, endpoint, maxFrameBytes, registry, timer,
            handshakeTimeoutMs));
    if (kind == TransportKind.TCP) {
      bootstrap.childOption(ChannelOption.TCP_NODELAY, true);
    }
    try {
      if (kind == TransportKind.UDS) {
        serverChannel = bootstrap.bind(new DomainSocketAddress(socketFile.toString())).sync().channel();
        Files.setPosixFilePermissions(socketFile, PosixFilePermissions.fromString("rw-------"));
        address = socketFile.toString();
      } else {
        serverChannel = bootstrap.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
        address = bound.getAddress().getHostAddress() + ":" + bound.getPort();
      }
    } catch (IOException e) {
      shutdownGroups();
      throw new UncheckedIOException("cannot secure the socket " + socketFile + ": " + e.getMessage(), e);
    } catch (RuntimeException | InterruptedException e) {
      shutdownGroups();
      throw e;
    }
    log.info(() -> "listening for workers on " + kind + " " + address);
  }

  /** What a worker is told to connect to: {@code 127.0.0.1:port} or the socket path. */
  String address() {
    return address;
  }

  @Override
  public void close() {
    serverChannel.close().syncUninterruptibly();
    shutdownGroups();
    if (socketFile != null) {
      try {
        Files.deleteIfExists(socketFile);
      } catch (IOException e) {
        log.warning(() -> "cannot remove " + socketFile + ": " + e.getMessage());
      }
    }
  }

  private void shutdownGroups() {
    EventLoops.shutdown(boss);
    EventLoops.shutdown(io);
  }
}
