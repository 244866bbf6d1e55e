package dev.ipclab.transport;

import com.google.protobuf.MessageLite;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.WorkerEnvelope;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The transport contract for {@link NettyTransport} over a real socket: a server channel accepts the parent end,
 * a client channel is the worker end, each piped as {@code ParentChannelInitializer} and {@code SocketConnector}
 * do it.
 */
abstract class SocketTransportConformanceTest extends TransportConformanceTest {
  private EventLoopGroup group;
  private Channel server;

  /** Where the server listens; a TCP port of 0 picks a free one. */
  abstract SocketAddress bindAddress();

  @Override
  Ends connect(int maxFrameBytes) throws Exception {
    TransportKind kind = kind();
    group = EventLoops.newGroup(THREAD_PREFIX + kind.cliName(), 2);
    CompletableFuture<NettyTransport<WorkerEnvelope, ParentEnvelope>> accepted = new CompletableFuture<>();
    ServerBootstrap serverBootstrap = new ServerBootstrap()
        .group(group)
        .channel(EventLoops.serverChannel(kind))
        // Nothing is read until start() puts a listener in place.
        .childOption(ChannelOption.AUTO_READ, false);
    CompletableFuture<NettyTransport<ParentEnvelope, WorkerEnvelope>> connected = new CompletableFuture<>();
    Bootstrap bootstrap = new Bootstrap()
        .group(group)
        .channel(EventLoops.clientChannel(kind))
        .option(ChannelOption.AUTO_READ, false);
    if (kind == TransportKind.TCP) {
      serverBootstrap.childOption(ChannelOption.TCP_NODELAY, true);
      bootstrap.option(ChannelOption.TCP_NODELAY, true);
    }

    server = serverBootstrap
        .childHandler(initializer(WorkerEnvelope.class, WorkerEnvelope.getDefaultInstance(), maxFrameBytes,
            "worker over " + kind + " " + bindAddress(), accepted::complete))
        .bind(bindAddress()).sync().channel();
    String parentPeer = "worker over " + kind + " " + bindAddress();
    String workerPeer = "parent over " + kind + " " + server.localAddress();
    bootstrap
        .handler(initializer(ParentEnvelope.class, ParentEnvelope.getDefaultInstance(), maxFrameBytes, workerPeer,
            connected::complete))
        .connect(server.localAddress()).sync();
    return new Ends(accepted.get(5, TimeUnit.SECONDS), connected.get(5, TimeUnit.SECONDS), parentPeer,
        workerPeer);
  }

  /** One side's pipeline: the shared codec, then the transport's inbound handler. */
  private <I extends MessageLite, O extends MessageLite> ChannelInitializer<Channel> initializer(
      Class<I> inboundType, I inboundPrototype, int maxFrameBytes, String peer,
      Consumer<NettyTransport<I, O>> created) {
    TransportKind kind = kind();
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        NettyTransport<I, O> transport = new NettyTransport<>(ch, kind, () -> peer);
        NettyPipelines.addCodec(ch.pipeline(), inboundPrototype, maxFrameBytes, () -> peer);
        ch.pipeline().addLast("transport", transport.inboundHandler(inboundType));
        created.accept(transport);
      }
    };
  }

  @Override
  void release() {
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    if (group != null) {
      EventLoops.shutdown(group);
    }
  }

  @Override
  Class<?> implementation() {
    return NettyTransport.class;
  }
}
