package dev.ipclab.transport.netty;

import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.TransportKind;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.TimeUnit;

/**
 * Chooses Netty's native epoll transport where it loads and NIO otherwise, and makes the matching event loops
 * and channel classes for {@code tcp} and {@code uds}.
 */
public final class EventLoops {
  private EventLoops() {}

  /** Netty's own switch for its default allocator; when a user sets it, it wins. */
  static final String ALLOCATOR_PROPERTY = "io.netty.allocator.type";

  /**
   * The buffer allocator for ipclab's channels: Netty's pooled one, not 4.2's default adaptive one, unless
   * {@code -Dio.netty.allocator.type} chooses. Measured with {@code ipclab bench} (uds and tcp, 2 s one-way
   * streams of 0 and 100 B pings): with the adaptive allocator a worker's RSS grew to 170 to 330 MB, with the
   * pooled one it stays at 88 to 106 MB, at the same throughput (Netty issue 15850 describes the adaptive
   * allocator's growth).
   */
  public static ByteBufAllocator allocator() {
    return System.getProperty(ALLOCATOR_PROPERTY) == null
        ? PooledByteBufAllocator.DEFAULT : ByteBufAllocator.DEFAULT;
  }

  /** Whether the native epoll transport loaded; Unix sockets need it. */
  public static boolean nativeAvailable() {
    return Epoll.isAvailable();
  }

  /** A new event loop group with {@code threads} threads named {@code <name>-N}, daemon, so it never holds a JVM. */
  public static EventLoopGroup newGroup(String name, int threads) {
    return newGroup(name, threads, IdleStrategy.BLOCK);
  }

  /**
   * As above, waiting as {@code idle} says: {@link IdleStrategy#SPIN} polls epoll (or the NIO selector) for a
   * while after each event before it blocks (see {@link IdleSelectStrategy}); a strategy that never polls gets
   * Netty's default, which blocks at once.
   */
  public static EventLoopGroup newGroup(String name, int threads, IdleStrategy idle) {
    SelectStrategyFactory select = idle.polls() ? () -> new IdleSelectStrategy(idle.fresh())
        : DefaultSelectStrategyFactory.INSTANCE;
    IoHandlerFactory io = nativeAvailable() ? EpollIoHandler.newFactory(0, select)
        : NioIoHandler.newFactory(SelectorProvider.provider(), select);
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), io);
  }

  /** The server channel class for {@code kind}, failing with a clear reason if it cannot be served here. */
  public static Class<? extends ServerChannel> serverChannel(TransportKind kind) {
    return switch (kind) {
      case TCP -> nativeAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
      case UDS -> {
        requireNative();
        yield EpollServerDomainSocketChannel.class;
      }
      case PIPE, SHM -> throw new IllegalArgumentException("the " + kind + " transport has no server channel");
    };
  }

  /** The client channel class for {@code kind}. */
  public static Class<? extends Channel> clientChannel(TransportKind kind) {
    return switch (kind) {
      case TCP -> nativeAvailable() ? EpollSocketChannel.class : NioSocketChannel.class;
      case UDS -> {
        requireNative();
        yield EpollDomainSocketChannel.class;
      }
      case PIPE, SHM -> throw new IllegalArgumentException("the " + kind + " transport has no socket channel");
    };
  }

  /** Shuts a group down with a short, bounded quiet period, and waits for it. */
  public static void shutdown(EventLoopGroup group) {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static void requireNative() {
    if (!nativeAvailable()) {
      throw new IllegalStateException(
          "the uds transport needs Netty's native epoll library, which did not load here: "
              + Epoll.unavailabilityCause() + ". Use --transport tcp or pipe, or run on Linux x86_64.");
    }
  }
}
