package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.WorkerState;
import dev.ipclab.proto.v1.Hello;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.RejectReason;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.protocol.Protocol;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Who can reach a parent's worker socket, checked from outside with {@code ss} and file modes, and what a
 * same-uid process that stole a worker's token gets on the Unix socket: refused, because the kernel's
 * {@code SO_PEERCRED} names it, not the worker.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ChannelSecurityIT {

  @Test
  void tcpListensOnTheLoopbackOnly() throws Exception {
    try (WorkerPool pool = Pools.builder(TransportKind.TCP, 1).start()) {
      String port = pool.endpoint().substring(pool.endpoint().lastIndexOf(':') + 1);
      List<String> listeners = Os.run("ss", "-Hltnp", "sport = :" + port).lines()
          .filter(l -> !l.isBlank()).toList();
      assertThat(listeners).as("ss -ltnp for port " + port).hasSize(1);
      String line = listeners.get(0);
      assertThat(line).contains("pid=" + ProcessHandle.current().pid() + ",");
      // Netty may bind a dual-stack socket, which ss shows as the IPv4-mapped loopback: still loopback only.
      String local = line.trim().split("\\s+")[3];
      assertThat(local).as("the local address in: " + line)
          .isIn("127.0.0.1:" + port, "[::ffff:127.0.0.1]:" + port);
    }
  }

  @Test
  void unixSocketAndItsDirectoryAreOwnerOnly() throws Exception {
    try (WorkerPool pool = Pools.builder(TransportKind.UDS, 1).start()) {
      Path socket = Path.of(pool.endpoint());
      assertThat(socket.getParent()).isEqualTo(pool.runDirectory());
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pool.runDirectory())))
          .isEqualTo("rwx------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
      assertThat(Files.getOwner(socket)).isEqualTo(Files.getOwner(Path.of("/proc/self")));
      List<String> listeners = Os.run("ss", "-Hlxp").lines().filter(l -> l.contains(socket.toString())).toList();
      assertThat(listeners).as("ss -lxp for " + socket).hasSize(1);
      assertThat(listeners.get(0)).contains("pid=" + ProcessHandle.current().pid() + ",");
    }
  }

  @Test
  void aStolenValidTokenIsRefusedOnTheUnixSocketBecauseThePeerIsNotTheWorker() throws Exception {
    try (WorkerPool pool = Pools.builder(TransportKind.UDS, 2).start();
        LogCapture logs = LogCapture.parent()) {
      PoolWorker victim = pool.worker(2);
      // What any process of the same uid can do: read the worker's environment.
      String token = Os.environ(victim.pid(), Protocol.TOKEN_ENV);
      assertThat(token).as("worker-2's token in /proc/" + victim.pid() + "/environ").hasSize(64);
      long me = ProcessHandle.current().pid();

      try (RawPeer thief = RawPeer.connect(TransportKind.UDS, pool.endpoint())) {
        // Every field right, the pid a lie: only the kernel's credentials can tell.
        thief.write(delimited(WorkerEnvelope.newBuilder().setHello(Hello.newBuilder()
            .setWorkerId(2).setPid(victim.pid()).setProtocolVersion(Protocol.VERSION).setToken(token)).build()));
        ParentEnvelope reply = thief.read();
        assertThat(reply.getReject().getReason()).isEqualTo(RejectReason.REJECT_REASON_PEER_CREDENTIALS);
        assertThat(reply.getReject().getMessage()).contains(
            "the peer on the Unix socket is pid " + me + ", uid ", "(SO_PEERCRED)",
            "but worker-2 is pid " + victim.pid(), "valid token");
        assertThat(thief.read()).as("connection closed after the reject").isNull();
      }
      assertThat(logs.matching("rejected uds", "peer pid " + me, "the peer on the Unix socket is pid " + me))
          .as("the parent's warnings: " + logs.lines()).hasSize(1);

      for (PoolWorker w : pool.workers()) {
        assertThat(w.state()).isEqualTo(WorkerState.READY);
        assertThat(w.ping(ByteString.copyFromUtf8("still " + w.id())).get(5, TimeUnit.SECONDS)
            .getPayload().toStringUtf8()).isEqualTo("still " + w.id());
      }
    }
  }

  /**
   * The sharpest case: the thief comes while worker-2's slot is still free (its hello is 4 s late), with the token
   * and the pid a real hello would carry. Only SO_PEERCRED refuses it; worker-2 then connects and serves.
   */
  @Test
  void aThiefBeforeTheWorkersOwnHelloIsRefusedAndTheWorkerStillConnects() throws Exception {
    long me = ProcessHandle.current().pid();
    try (LogCapture logs = LogCapture.parent();
        ExecutorService starter = Executors.newSingleThreadExecutor()) {
      Future<WorkerPool> starting = starter.submit(
          () -> Pools.builder(TransportKind.UDS, 2).fault(2, "slow-hello:4000").start());
      try {
        ProcessHandle victim = awaitWorker(2);
        String token = awaitEnviron(victim.pid(), Protocol.TOKEN_ENV);
        Path socket = awaitSocket();
        try (RawPeer thief = RawPeer.connect(TransportKind.UDS, socket.toString())) {
          thief.write(delimited(WorkerEnvelope.newBuilder().setHello(Hello.newBuilder()
              .setWorkerId(2).setPid(victim.pid()).setProtocolVersion(Protocol.VERSION).setToken(token)).build()));
          ParentEnvelope reply = thief.read();
          assertThat(reply.getKindCase()).as("the parent's answer to the thief: " + reply)
              .isEqualTo(ParentEnvelope.KindCase.REJECT);
          assertThat(reply.getReject().getReason()).isEqualTo(RejectReason.REJECT_REASON_PEER_CREDENTIALS);
          assertThat(reply.getReject().getMessage())
              .contains("is pid " + me + ", uid ", "but worker-2 is pid " + victim.pid());
          assertThat(thief.read()).isNull();
        }
      } finally {
        try (WorkerPool pool = starting.get(60, TimeUnit.SECONDS)) {
          PoolWorker worker2 = pool.worker(2);
          assertThat(worker2.state()).isEqualTo(WorkerState.READY);
          assertThat(worker2.hello().getPid()).isEqualTo(worker2.pid());
          assertThat(worker2.ping(ByteString.copyFromUtf8("mine")).get(5, TimeUnit.SECONDS)
              .getPayload().toStringUtf8()).isEqualTo("mine");
        }
      }
      assertThat(logs.matching("rejected uds", "peer pid " + me + ",", "(SO_PEERCRED)")).hasSize(1);
    }
  }

  private static ProcessHandle awaitWorker(int id) throws InterruptedException {
    String flag = "-D" + Protocol.WORKER_ID_PROPERTY + "=" + id;
    ProcessHandle[] found = new ProcessHandle[1];
    assertThat(Os.within(30_000, () -> {
      found[0] = ProcessHandle.current().children()
          .filter(p -> p.info().arguments().map(a -> List.of(a).contains(flag)).orElse(false))
          .findFirst().orElse(null);
      return found[0] != null;
    })).as("worker-" + id + " spawned").isTrue();
    return found[0];
  }

  private static String awaitEnviron(long pid, String name) throws InterruptedException {
    String[] value = new String[1];
    assertThat(Os.within(10_000, () -> {
      try {
        value[0] = Os.environ(pid, name);
      } catch (java.io.IOException e) {
        value[0] = null; // not exec'd yet
      }
      return value[0] != null;
    })).as(name + " of pid " + pid).isTrue();
    return value[0];
  }

  private static Path awaitSocket() throws Exception {
    Path[] socket = new Path[1];
    assertThat(Os.within(30_000, () -> {
      try {
        socket[0] = NoLeftovers.runDirectories().stream().map(d -> d.resolve("ipc.sock"))
            .filter(Files::exists).findFirst().orElse(null);
      } catch (java.io.IOException e) {
        socket[0] = null;
      }
      return socket[0] != null;
    })).as("the pool's socket").isTrue();
    return socket[0];
  }

  private static byte[] delimited(WorkerEnvelope envelope) throws java.io.IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    envelope.writeDelimitedTo(bytes);
    return bytes.toByteArray();
  }
}
