package dev.ipclab.parent;

import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.netty.NettyPipelines;
import dev.ipclab.transport.netty.NettyTransport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.PeerCredentials;
import java.io.IOException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The parent side's pipeline for each accepted worker connection, ending in a {@link HandshakeGate}. On a Unix
 * socket it also reads the peer's kernel credentials, which the gate checks against the spawned worker's pid.
 */
final class ParentChannelInitializer extends ChannelInitializer<Channel> {
  private static final Logger log = Logger.getLogger(ParentChannelInitializer.class.getName());

  private final TransportKind kind;
  private final String endpoint;
  private final int maxFrameBytes;
  private final WorkerRegistry registry;
  private final ScheduledExecutorService timer;
  private final long handshakeTimeoutMs;

  ParentChannelInitializer(TransportKind kind, String endpoint, int maxFrameBytes, WorkerRegistry registry,
      ScheduledExecutorService timer, long handshakeTimeoutMs) {
    this.kind = kind;
    this.endpoint = endpoint;
    this.maxFrameBytes = maxFrameBytes;
    this.registry = registry;
    this.timer = timer;
    this.handshakeTimeoutMs = handshakeTimeoutMs;
  }

  @Override
  protected void initChannel(Channel ch) {
    PeerIdentity identity;
    try {
      // Read once, now: SO_PEERCRED holds who connect()ed, and the hello will be judged against it.
      identity = PeerIdentity.of(ch);
    } catch (IOException e) {
      // Fail closed: on a Unix socket, a peer we cannot identify is not let in on its token alone.
      log.warning(() -> "closing a connection on " + kind + " " + endpoint + ": cannot read its peer credentials"
          + " (SO_PEERCRED): " + e.getMessage());
      ch.close();
      return;
    }
    Supplier<String> peer = peerDescription(ch);
    NettyTransport<WorkerEnvelope, ParentEnvelope> transport = new NettyTransport<>(ch, kind, peer);
    // frame decoder -> protobuf decoder -> frame encoder -> protobuf encoder: see NettyPipelines.
    NettyPipelines.addCodec(ch.pipeline(), WorkerEnvelope.getDefaultInstance(), maxFrameBytes, peer);
    // Last: hands each WorkerEnvelope to the gate, then to the worker's connection, on this event loop.
    ch.pipeline().addLast("worker", transport.inboundHandler(WorkerEnvelope.class));
    // A refused stranger is only logged: no worker of ours is involved.
    HandshakeGate.guard(registry, transport, identity, timer, handshakeTimeoutMs, reason -> {});
  }

  /** Names the peer for logs: on a Unix socket the kernel tells us its pid, so we say it. */
  private Supplier<String> peerDescription(Channel ch) {
    return new Supplier<>() {
      private String cached;

      @Override
      public synchronized String get() {
        if (cached == null) {
          cached = kind + " " + endpoint + " (" + peer() + ")";
        }
        return cached;
      }

      private String peer() {
        if (ch instanceof EpollDomainSocketChannel uds) {
          try {
            PeerCredentials creds = uds.peerCredentials();
            return "peer pid " + creds.pid() + ", uid " + creds.uid();
          } catch (IOException e) {
            return "peer unknown: " + e.getMessage();
          }
        }
        return "peer " + ch.remoteAddress();
      }
    };
  }
}
