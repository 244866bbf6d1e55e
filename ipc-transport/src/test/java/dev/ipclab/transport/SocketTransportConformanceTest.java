package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.MessageLite;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.frame.Frames;
import dev.ipclab.transport.netty.EventLoops;
import dev.ipclab.transport.netty.NettyPipelines;
import dev.ipclab.transport.netty.NettyTransport;
import dev.ipclab.transport.netty.NettyTransportProbe;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transport contract for {@link NettyTransport} over a real socket: a server channel accepts the parent end,
 * a client channel is the worker end, each piped as {@code ParentChannelInitializer} and {@code SocketConnector}
 * do it.
 */
abstract class SocketTransportConformanceTest extends TransportConformanceTest {
  private EventLoopGroup group;
  private Channel server;

  /** How the event loops wait; the spin variants override it. */
  IdleStrategy idle() {
    return IdleStrategy.BLOCK;
  }

  /** Where the server listens; a TCP port of 0 picks a free one. */
  abstract SocketAddress bindAddress();

  @Override
  Ends connect(int maxFrameBytes) throws Exception {
    TransportKind kind = kind();
    group = EventLoops.newGroup(THREAD_PREFIX + kind.cliName(), 2, idle());
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

  @Test
  @Timeout(30)
  void sendWaitsWhileThePeerDoesNotReadThenFailsAfterItsLimitWithPendingBytesBounded() throws Exception {
    open(Frames.DEFAULT_MAX_FRAME_BYTES);
    parent().start(parentSeen);
    NettyTransport<WorkerEnvelope, ParentEnvelope> sender = netty(parent()).sendWaitLimit(Duration.ofMillis(500));
    int size = 64 * 1024;
    int sent = 0;
    IllegalStateException refused = null;
    long maxPending = 0;
    for (int i = 1; i <= 5000 && refused == null; i++) {
      try {
        sender.send(Traffic.ping(i, Traffic.payload(i, size)));
        sent++;
        maxPending = Math.max(maxPending, NettyTransportProbe.pendingBytes(sender));
      } catch (IllegalStateException e) {
        refused = e;
      }
    }

    assertThat(refused).as("a send refused after %d sent", sent).isNotNull()
        .hasMessageStartingWith(ends.parentPeer() + " has not read for 500 ms while ")
        .hasMessageContaining("it may be stopped (SIGSTOP) or stuck");
    // Without backpressure all 5000 frames (312 MiB) would have been accepted into the heap.
    assertThat(maxPending).as("largest pending outbound bytes seen")
        .isLessThanOrEqualTo(NettyTransportProbe.HIGH_WATER_BYTES + 2L * size);
    assertThat(parent().closeFuture()).as("a refused send does not close the channel").isNotDone();
  }

  @Test
  @Timeout(30)
  void aWaitingSendGoesOnOnceThePeerReadsAndEveryFrameArrivesInOrder() throws Exception {
    open(Frames.DEFAULT_MAX_FRAME_BYTES);
    parent().start(parentSeen);
    int size = 64 * 1024;
    int count = 200; // 12.5 MiB: more than the socket buffers and the high-water mark hold
    CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
      for (int i = 1; i <= count; i++) {
        parent().send(Traffic.ping(i, Traffic.payload(i, size)));
      }
    }, r -> Thread.ofPlatform().daemon().name(THREAD_PREFIX + "sender").start(r));
    Thread.sleep(300);
    assertThat(sending).as("the sender waits while nothing reads").isNotDone();

    worker().start(workerSeen);

    sending.get(Traffic.WAIT_SECONDS * 2, TimeUnit.SECONDS);
    for (int i = 1; i <= count; i++) {
      assertThat(Traffic.next(workerSeen.messages, "ping " + i).getRequestId()).isEqualTo(i);
    }
  }

  @Test
  @Timeout(30)
  void aSenderWaitingForThePeerCanBeInterrupted() throws Exception {
    open(Frames.DEFAULT_MAX_FRAME_BYTES);
    parent().start(parentSeen);
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    Thread sender = Thread.ofPlatform().daemon().name(THREAD_PREFIX + "sender").start(() -> {
      try {
        for (int i = 1; i <= 5000; i++) {
          parent().send(Traffic.ping(i, Traffic.payload(i, 64 * 1024)));
        }
        outcome.complete(null);
      } catch (Throwable e) {
        outcome.complete(Thread.currentThread().isInterrupted() ? e : new AssertionError("flag not set", e));
      }
    });
    Thread.sleep(500);
    sender.interrupt();

    assertThat(outcome.get(Traffic.WAIT_SECONDS, TimeUnit.SECONDS))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasCauseInstanceOf(java.io.InterruptedIOException.class)
        .hasMessageContaining("interrupted while waiting to write to " + ends.parentPeer());
    sender.join();
  }

  @Test
  @Timeout(30)
  void aSendOnTheChannelsOwnEventLoopNeverWaits() throws Exception {
    open(Frames.DEFAULT_MAX_FRAME_BYTES);
    parent().start(parentSeen);
    NettyTransport<WorkerEnvelope, ParentEnvelope> sender = netty(parent());
    int count = 100; // 6.4 MiB, far past the high-water mark: waiting here would hang the loop for ever
    sender.channel().eventLoop().submit(() -> {
      for (int i = 1; i <= count; i++) {
        sender.send(Traffic.ping(i, Traffic.payload(i, 64 * 1024)));
      }
    }).get(Traffic.WAIT_SECONDS, TimeUnit.SECONDS);

    assertThat(sender.channel().isWritable()).as("writable after queueing 6.4 MiB").isFalse();
    worker().start(workerSeen);
    for (int i = 1; i <= count; i++) {
      assertThat(Traffic.next(workerSeen.messages, "ping " + i).getRequestId()).isEqualTo(i);
    }
  }

  @SuppressWarnings("unchecked")
  private static <I extends MessageLite, O extends MessageLite> NettyTransport<I, O> netty(Transport<I, O> t) {
    return (NettyTransport<I, O>) t;
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
