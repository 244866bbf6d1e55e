package dev.ipclab.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ipclab.proto.v1.JvmFacts;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.Ping;
import dev.ipclab.proto.v1.Task;
import dev.ipclab.proto.v1.Welcome;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.ProtocolException;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.TransportListener;
import dev.ipclab.transport.frame.Frames;
import dev.ipclab.transport.netty.EventLoops;
import dev.ipclab.transport.netty.NettyPipelines;
import dev.ipclab.transport.netty.NettyTransport;
import dev.ipclab.transport.protocol.Protocol;
import dev.ipclab.worker.task.BuiltInTasks;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real worker session on a real Unix socket, connected the way {@link SocketConnector} connects a worker, with
 * the test as the parent: what the worker's event loop does when the parent stops reading, and when the worker
 * is made a slow reader.
 */
@Timeout(60)
class WorkerSocketSessionTest {
  /** The chaos kind this test needs, as a module of the test's own: it pauses reading through the fault hooks. */
  private static final String SLOW_READER = "chaos.slow-reader";
  private static final TaskModule SLOW_READER_MODULE = context -> context.faultHooks().ifPresent(hooks ->
      context.register(SLOW_READER, payload -> {
        hooks.pauseReading(Long.parseLong(payload.toString(StandardCharsets.US_ASCII).trim()));
        return payload;
      }));

  private static final int MAX_FRAME = Frames.DEFAULT_MAX_FRAME_BYTES;

  private Path dir;
  private EventLoopGroup parentLoop;
  private Channel server;
  private SocketConnector connector;
  private NettyTransport<ParentEnvelope, WorkerEnvelope> worker;
  private NettyTransport<WorkerEnvelope, ParentEnvelope> parent;
  private WorkerSession session;
  private final BlockingQueue<WorkerEnvelope> heard = new LinkedBlockingQueue<>();

  /** Starts a parent end that does not read yet, and a worker session connected to it that has said hello. */
  private void connect(boolean chaos) throws Exception {
    dir = Files.createTempDirectory("ipclab-test-");
    Path socket = dir.resolve("ipc.sock");
    parentLoop = EventLoops.newGroup("test-parent-io", 1, IdleStrategy.BLOCK);
    CompletableFuture<NettyTransport<WorkerEnvelope, ParentEnvelope>> accepted = new CompletableFuture<>();
    server = new ServerBootstrap()
        .group(parentLoop)
        .channel(EventLoops.serverChannel(TransportKind.UDS))
        .childOption(ChannelOption.AUTO_READ, false) // the parent reads only once started
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            NettyTransport<WorkerEnvelope, ParentEnvelope> t =
                new NettyTransport<>(ch, TransportKind.UDS, () -> "worker-1 of this test");
            NettyPipelines.addCodec(ch.pipeline(), WorkerEnvelope.getDefaultInstance(), MAX_FRAME,
                () -> "worker-1 of this test");
            ch.pipeline().addLast("transport", t.inboundHandler(WorkerEnvelope.class));
            accepted.complete(t);
          }
        })
        .bind(new DomainSocketAddress(socket.toString())).sync().channel();
    WorkerConfig config = new WorkerConfig(1, TransportKind.UDS, socket.toString(), "ab".repeat(32), MAX_FRAME,
        IdleStrategy.BLOCK, null);
    connector = new SocketConnector(config);
    worker = connector.connect();
    parent = accepted.get(10, TimeUnit.SECONDS);
    if (chaos) {
      System.setProperty(Protocol.CHAOS_RUN_PROPERTY, "test"); // read once, by the session's constructor
    }
    try {
      session = new WorkerSession(config, new CountingTransport(worker), Faults.NONE, JvmFacts.getDefaultInstance(),
          new CompletableFuture<>(), java.util.List.of(new BuiltInTasks(), SLOW_READER_MODULE));
    } finally {
      System.clearProperty(Protocol.CHAOS_RUN_PROPERTY);
    }
    session.begin();
  }

  @AfterEach
  void closeEverything() throws Exception {
    if (session != null) {
      session.stop();
    }
    if (worker != null) {
      worker.close();
    }
    if (connector != null) {
      connector.close();
    }
    if (parent != null) {
      parent.close();
    }
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    if (parentLoop != null) {
      EventLoops.shutdown(parentLoop);
    }
    if (dir != null) {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  @Test
  void aParentThatStopsReadingCannotGrowTheAnswersTheWorkerQueues() throws Exception {
    connect(false);
    // The parent never reads, not even the hello; it only sends: a welcome without heartbeats, then pings.
    parent.sendWaitLimit(Duration.ofSeconds(2));
    parent.send(welcome(0));
    ByteString payload = ByteString.copyFrom(new byte[64 * 1024]);
    long sentBytes = 0;
    IllegalStateException refused = null;
    for (int i = 1; i <= 1024 && refused == null; i++) { // 64 MiB of pings, each answered with a pong as large
      try {
        parent.send(ParentEnvelope.newBuilder().setRequestId(i).setPing(Ping.newBuilder().setPayload(payload))
            .build());
        sentBytes += payload.size();
      } catch (IllegalStateException e) {
        refused = e;
      }
    }
    // Whatever the worker read, it has answered by the time its event loop runs this.
    long queued = worker.channel().eventLoop()
        .submit(() -> worker.channel().unsafe().outboundBuffer().totalPendingWriteBytes()).get(10, TimeUnit.SECONDS);

    assertThat(queued).as("bytes of answers the worker holds for a parent that does not read, after %d MiB of"
        + " pings were sent", sentBytes >> 20).isLessThan(4L * 1024 * 1024);
    assertThat(refused).as("the parent's sends back up once the worker stops reading").isNotNull()
        .hasMessageContaining("has not read for 2000 ms");
  }

  @Test
  void heartbeatsGoOnWhileTheSlowReaderPauses() throws Exception {
    connect(true);
    parent.start(new TransportListener<>() {
      @Override
      public void onMessage(WorkerEnvelope message) {
        heard.add(message);
      }

      @Override
      public void onProtocolError(ProtocolException error) {}

      @Override
      public void onClosed(Throwable cause) {}
    });
    parent.send(welcome(50));
    parent.send(ParentEnvelope.newBuilder().setRequestId(1).setTask(Task.newBuilder()
        .setKind(SLOW_READER).setPayload(ByteString.copyFrom("3000", StandardCharsets.US_ASCII))
        .setDeadlineMs(10_000)).build());
    assertThat(next(1).hasTaskResult()).as("the slow-reader task's answer").isTrue();

    // The worker pauses before it reads this ping: its pong comes 3 s later, and the heartbeats must not wait.
    parent.send(ParentEnvelope.newBuilder().setRequestId(2).setPing(Ping.newBuilder()).build());
    int heartbeats = 0;
    for (WorkerEnvelope m; (m = heard.poll(20, TimeUnit.SECONDS)) != null; ) {
      if (m.hasHeartbeat()) {
        heartbeats++;
      } else if (m.getRequestId() == 2) {
        assertThat(m.hasPong()).isTrue();
        break;
      }
    }
    assertThat(heartbeats).as("heartbeats (every 50 ms) heard while the worker did not read for 3 s")
        .isGreaterThanOrEqualTo(5);
  }

  private WorkerEnvelope next(long requestId) throws InterruptedException {
    for (WorkerEnvelope m; (m = heard.poll(20, TimeUnit.SECONDS)) != null; ) {
      if (m.getRequestId() == requestId && !m.hasHeartbeat()) {
        return m;
      }
    }
    throw new AssertionError("no answer to request " + requestId + " within 20 s");
  }

  private static ParentEnvelope welcome(int heartbeatMs) {
    return ParentEnvelope.newBuilder().setWelcome(Welcome.newBuilder()
        .setParentPid(ProcessHandle.current().pid())
        .setHeartbeatIntervalMs(heartbeatMs)
        .setHeartbeatTimeoutMs(60_000)
        .setMaxFrameBytes(MAX_FRAME)).build();
  }
}
