package dev.ipclab.worker;

import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.netty.EventLoops;
import dev.ipclab.transport.netty.NettyPipelines;
import dev.ipclab.transport.netty.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.ResourceLeakDetector;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicReference;

/** Connects a worker to its parent over TCP or a Unix socket with Netty, and owns the worker's event loop. */
final class SocketConnector implements AutoCloseable {
  /** Netty's own switch for its leak detector; when a developer sets it, it wins. */
  private static final String LEAK_DETECTION_PROPERTY = "io.netty.leakDetection.level";

  private final WorkerConfig config;
  private final EventLoopGroup group;

  SocketConnector(WorkerConfig config) {
    this.config = config;
    if (System.getProperty(LEAK_DETECTION_PROPERTY) == null) {
      // Netty's default samples one buffer in 128 and records its allocation with a stack trace (a Throwable):
      // 2.6% of the io thread's CPU in a blocking uds round trip, 0.7% spinning (perf). The worker's buffers live
      // inside one read or one write; -Dio.netty.leakDetection.level=paranoid turns the detector back on.
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
    this.group = EventLoops.newGroup("ipclab-io", 1, config.idle()); // spin mode polls epoll before it blocks
  }

  /** Connects, and returns the transport; reading starts when the session starts it. */
  NettyTransport<ParentEnvelope, WorkerEnvelope> connect() throws InterruptedException {
    String description = "parent over " + config.transport() + " " + config.connect();
    AtomicReference<NettyTransport<ParentEnvelope, WorkerEnvelope>> transport = new AtomicReference<>();
    Bootstrap bootstrap = new Bootstrap()
        .group(group)
        .channel(EventLoops.clientChannel(config.transport()))
        // Nothing is read until the session has a listener in place.
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.ALLOCATOR, EventLoops.allocator())
        .handler(new WorkerChannelInitializer(config.maxFrameBytes(), description, transport));
    if (config.transport() == TransportKind.TCP) {
      bootstrap.option(ChannelOption.TCP_NODELAY, true);
    }
    bootstrap.connect(address()).sync();
    return transport.get();
  }

  private SocketAddress address() {
    if (config.transport() == TransportKind.UDS) {
      return new DomainSocketAddress(config.connect());
    }
    int colon = config.connect().lastIndexOf(':');
    return new InetSocketAddress(
        config.connect().substring(0, colon), Integer.parseInt(config.connect().substring(colon + 1)));
  }

  @Override
  public void close() {
    EventLoops.shutdown(group);
  }

  /** The worker side's pipeline: the shared codec, then the transport's inbound handler. */
  static final class WorkerChannelInitializer extends ChannelInitializer<Channel> {
    private final int maxFrameBytes;
    private final String description;
    private final AtomicReference<NettyTransport<ParentEnvelope, WorkerEnvelope>> created;

    WorkerChannelInitializer(int maxFrameBytes, String description,
        AtomicReference<NettyTransport<ParentEnvelope, WorkerEnvelope>> created) {
      this.maxFrameBytes = maxFrameBytes;
      this.description = description;
      this.created = created;
    }

    @Override
    protected void initChannel(Channel ch) {
      TransportKind kind = ch instanceof io.netty.channel.unix.DomainSocketChannel ? TransportKind.UDS
          : TransportKind.TCP;
      // Reads only while writable: the answers this side sends on its event loop (pongs, status) to a parent that
      // stopped reading would otherwise pile up here without bound. The parent always reads, so the two cannot
      // end up waiting for each other.
      NettyTransport<ParentEnvelope, WorkerEnvelope> transport =
          new NettyTransport<ParentEnvelope, WorkerEnvelope>(ch, kind, () -> description).readOnlyWhileWritable();
      // frame decoder -> protobuf decoder -> frame encoder -> protobuf encoder: see NettyPipelines.
      NettyPipelines.addCodec(ch.pipeline(), ParentEnvelope.getDefaultInstance(), maxFrameBytes,
          () -> description);
      // Last: hands each ParentEnvelope to the session, on this event loop.
      ch.pipeline().addLast("session", transport.inboundHandler(ParentEnvelope.class));
      created.set(transport);
    }
  }
}
