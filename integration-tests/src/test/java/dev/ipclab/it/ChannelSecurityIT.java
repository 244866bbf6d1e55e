package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.WorkerProcess;
import dev.ipclab.parent.WorkerState;
import dev.ipclab.proto.v1.Hello;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.RejectReason;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.Protocol;
import dev.ipclab.transport.TransportKind;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
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
      WorkerProcess victim = pool.worker(2);
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

      for (WorkerProcess w : pool.workers()) {
        assertThat(w.state()).isEqualTo(WorkerState.READY);
        assertThat(w.connection().ping(ByteString.copyFromUtf8("still " + w.id())).get(5, TimeUnit.SECONDS)
            .getPayload().toStringUtf8()).isEqualTo("still " + w.id());
      }
    }
  }

  private static byte[] delimited(WorkerEnvelope envelope) throws java.io.IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    envelope.writeDelimitedTo(bytes);
    return bytes.toByteArray();
  }
}
