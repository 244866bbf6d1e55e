package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.TaskSpec;
import dev.ipclab.parent.WorkerFailedException;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.WorkerState;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.Hello;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.RejectReason;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.protocol.Protocol;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.protocol.WorkerExitCodes;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Peers that lie, babble or say nothing: each gets a clear error or rejection, its channel is closed, and the
 * parent goes on serving the other workers, with no OutOfMemoryError (this JVM runs with -Xmx256m).
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BadPeerIT {

  @ParameterizedTest
  @EnumSource(value = TransportKind.class, names = {"TCP", "UDS"})
  void hostileConnectionsAreAnsweredAndClosedWhileWorkersCarryOn(TransportKind transport) throws Exception {
    try (LogCapture logs = LogCapture.parent();
        // The hello deadline is the pool's, for workers too: short enough to wait out below, long enough for a
        // worker JVM to start on a loaded machine.
        WorkerPool pool = Pools.builder(transport, 2).handshakeTimeout(Duration.ofSeconds(15)).start()) {
      String endpoint = pool.endpoint();

      try (RawPeer peer = RawPeer.connect(transport, endpoint)) {
        peer.write(delimited(WorkerEnvelope.newBuilder().setHello(Hello.newBuilder()
            .setWorkerId(1).setPid(ProcessHandle.current().pid()).setProtocolVersion(Protocol.VERSION)
            .setToken("0123456789abcdef0123456789abcdef")).build()));
        ParentEnvelope reply = peer.read();
        assertThat(reply.getReject().getReason()).isEqualTo(RejectReason.REJECT_REASON_BAD_TOKEN);
        assertThat(reply.getReject().getMessage()).contains("token does not match", "worker-1");
        assertThat(peer.read()).as("connection closed after the reject").isNull();
      }

      try (RawPeer peer = RawPeer.connect(transport, endpoint)) {
        peer.write(delimited(WorkerEnvelope.newBuilder().setHello(Hello.newBuilder()
            .setWorkerId(2).setPid(ProcessHandle.current().pid()).setProtocolVersion(99)
            .setToken("0123456789abcdef0123456789abcdef")).build()));
        ParentEnvelope reply = peer.read();
        assertThat(reply.getReject().getReason()).isEqualTo(RejectReason.REJECT_REASON_PROTOCOL_VERSION);
        assertThat(reply.getReject().getMessage())
            .contains("worker-2 speaks protocol revision 99, this parent speaks " + Protocol.VERSION);
        assertThat(peer.read()).as("connection closed after the reject").isNull();
      }

      try (RawPeer peer = RawPeer.connect(transport, endpoint)) {
        peer.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        ParentEnvelope reply = peer.read();
        assertThat(reply.getError().getCode()).isEqualTo(ErrorCode.ERROR_CODE_MALFORMED_FRAME);
        assertThat(reply.getError().getMessage()).contains("length prefix longer than 5 bytes");
        assertThat(peer.read()).isNull();
      }

      try (RawPeer peer = RawPeer.connect(transport, endpoint)) {
        // A length prefix of 2^31 bytes (2 GiB) and a few body bytes: refused before anything is allocated.
        peer.write(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 1, 2, 3});
        ParentEnvelope reply = peer.read();
        assertThat(reply.getError().getCode()).isEqualTo(ErrorCode.ERROR_CODE_FRAME_TOO_LARGE);
        assertThat(reply.getError().getMessage()).contains("2147483648 bytes (2.0 GiB)", "16777216 bytes");
        assertThat(peer.read()).isNull();
      }

      try (RawPeer peer = RawPeer.connect(transport, endpoint)) {
        // A frame that is well-formed but not protobuf.
        peer.write(new byte[] {5, 'h', 'e', 'l', 'l', 'o'});
        ParentEnvelope reply = peer.read();
        assertThat(reply.getError().getCode()).isEqualTo(ErrorCode.ERROR_CODE_MALFORMED_FRAME);
        assertThat(reply.getError().getMessage()).contains("does not parse");
        assertThat(peer.read()).isNull();
      }

      try (RawPeer peer = RawPeer.connect(transport, endpoint)) {
        ParentEnvelope reply = peer.read(); // says nothing: the hello deadline (15 s) closes it
        assertThat(reply.getError().getCode()).isEqualTo(ErrorCode.ERROR_CODE_HANDSHAKE_TIMEOUT);
        assertThat(reply.getError().getMessage()).contains("no hello", "within 15000 ms");
        assertThat(peer.read()).isNull();
      }

      // Each refusal is in the parent's log with the peer and what was wrong: expected, then arrived.
      String peerNamed = transport == TransportKind.UDS ? "peer pid " + ProcessHandle.current().pid()
          : "peer /127.0.0.1:";
      assertThat(logs.matching("rejected", peerNamed, "the token does not match the one issued to worker-1"))
          .hasSize(1);
      assertThat(logs.matching("rejected", peerNamed, "speaks protocol revision 99, this parent speaks")).hasSize(1);
      assertThat(logs.matching("broke the protocol", peerNamed, "length prefix longer than 5 bytes")).hasSize(1);
      assertThat(logs.matching("broke the protocol", peerNamed, "2147483648 bytes (2.0 GiB)", "16777216 bytes"))
          .hasSize(1);
      assertThat(logs.matching("broke the protocol", peerNamed, "does not parse")).hasSize(1);
      assertThat(logs.matching("no hello from", peerNamed, "within 15000 ms")).hasSize(1);

      assertOthersServe(pool.workers());
    }
  }

  /** A real worker JVM of ours, told a wrong token or revision, joins the pool's socket: it alone is turned away. */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
      "UDS, bad-token, REJECT_REASON_BAD_TOKEN, the token does not match the one issued to worker-1",
      "TCP, bad-token, REJECT_REASON_BAD_TOKEN, the token does not match the one issued to worker-1",
      "UDS, protocol-version:99, REJECT_REASON_PROTOCOL_VERSION, 'worker-1 speaks protocol revision 99, this parent'",
      "TCP, protocol-version:99, REJECT_REASON_PROTOCOL_VERSION, 'worker-1 speaks protocol revision 99, this parent'"})
  void aWorkerProcessWithAWrongTokenOrRevisionIsRejectedWhileThePoolServes(TransportKind transport, String fault,
      RejectReason reason, String expected) throws Exception {
    try (LogCapture logs = LogCapture.parent(); WorkerPool pool = Pools.builder(transport, 2).start()) {
      List<String> command = new ArrayList<>(List.of(
          ProcessHandle.current().info().command().orElseThrow(),
          "-D" + Protocol.ROLE_PROPERTY + "=worker",
          "-D" + Protocol.WORKER_ID_PROPERTY + "=1",
          "-D" + Protocol.TRANSPORT_PROPERTY + "=" + transport.cliName(),
          "-D" + Protocol.CONNECT_PROPERTY + "=" + pool.endpoint(),
          "-D" + Protocol.FAULT_PROPERTY + "=" + fault,
          "-Xmx64m", "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED",
          "-cp", ParentCli.jar("ipclab.worker.jar").toString(), "dev.ipclab.worker.WorkerMain"));
      ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      builder.environment().put(Protocol.TOKEN_ENV, "ab".repeat(32));
      builder.environment().remove("IPCLAB_FAULT");
      Process intruder = builder.start();
      try {
        // Its stderr is its log; reading it to the end also waits for it to exit.
        String log = new String(intruder.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(intruder.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(intruder.exitValue()).as("exit status; its log:\n" + log).isEqualTo(WorkerExitCodes.REJECTED);
        assertThat(log).contains("the parent rejected this worker (" + reason + ")", expected);
      } finally {
        intruder.destroyForcibly();
      }
      String peerNamed = transport == TransportKind.UDS ? "peer pid " + intruder.pid() + "," : "peer /127.0.0.1:";
      assertThat(logs.matching("rejected", peerNamed, expected)).as("parent warnings " + logs.lines()).hasSize(1);
      assertOthersServe(pool.workers());
    }
  }

  @ParameterizedTest
  @EnumSource(value = TransportKind.class, names = {"PIPE", "UDS"})
  void workerWithWrongTokenIsRejected(TransportKind transport) {
    assertThatThrownBy(() -> Pools.builder(transport, 1).fault(1, "bad-token").start().close())
        .isInstanceOf(WorkerFailedException.class)
        .hasMessageContaining("exit 4: the parent rejected the worker's handshake")
        .hasMessageContaining("the token does not match the one issued to worker-1");
  }

  @Test
  void workerSpeakingAnotherProtocolRevisionIsRejected() {
    assertThatThrownBy(() -> Pools.builder(TransportKind.PIPE, 1).fault(1, "protocol-version:99").start().close())
        .isInstanceOf(WorkerFailedException.class)
        .hasMessageContaining("before that: handshake rejected: worker-1 speaks protocol revision 99, this parent"
            + " speaks 1");
  }

  @Test
  void workerThatNeverSaysHelloIsCutOffAtTheDeadline() {
    assertThatThrownBy(() -> Pools.builder(TransportKind.PIPE, 1).fault(1, "no-hello")
        .handshakeTimeout(Duration.ofMillis(500)).start().close())
        .isInstanceOf(WorkerFailedException.class)
        .hasMessageContaining("before that: no hello from stdin/stdout of worker-1 pid")
        .hasMessageContaining("within 500 ms");
  }

  /**
   * A worker too slow to notice that its channel was closed (here still waiting to say hello, as a JVM starved of
   * CPU does) is killed by the pool a second later; its exit must say ipclab sent that SIGKILL, not blame the OOM
   * killer. A chaos soak at load 30 showed the wrong one on every refused slow start.
   */
  @Test
  void aWorkerKilledForOutlivingItsRefusedHandshakeIsNotBlamedOnTheOomKiller() {
    assertThatThrownBy(() -> Pools.builder(TransportKind.PIPE, 1).fault(1, "slow-hello:30000")
        .handshakeTimeout(Duration.ofMillis(500)).start().close())
        .isInstanceOf(WorkerFailedException.class)
        .hasMessageContaining("exit 137 = 128 + 9 (SIGKILL): stopped by ipclab with SIGKILL; before that: no hello"
            + " from stdin/stdout of worker-1 pid")
        .hasMessageNotContaining("which ipclab did not send");
  }

  /**
   * A worker of the pool breaks the framing after two pongs (bytes that are no frame, a 2 GiB length prefix, a
   * library's print straight to fd 1 of a pipe): it alone is cut off, with the cause in its exit and in the log.
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
      "PIPE | garbage-after:2       | length prefix longer than 5 bytes | print to stdout",
      "UDS  | garbage-after:2       | length prefix longer than 5 bytes | Did something else write",
      "TCP  | garbage-after:2       | length prefix longer than 5 bytes | Did something else write",
      "PIPE | huge-frame-after:2    | 2147483648 bytes (2.0 GiB)        | over the limit of 16777216 bytes",
      "UDS  | huge-frame-after:2    | 2147483648 bytes (2.0 GiB)        | over the limit of 16777216 bytes",
      "TCP  | huge-frame-after:2    | 2147483648 bytes (2.0 GiB)        | over the limit of 16777216 bytes",
      "SHM  | garbage-after:2       | length prefix longer than 5 bytes | shm /dev/shm/ipclab-",
      "SHM  | huge-frame-after:2    | 2147483648 bytes (2.0 GiB)        | over the limit of 16777216 bytes",
      "PIPE | raw-stdout-after:2    | does not parse                    | og4j:WARN No appenders"})
  void aWorkerThatBreaksTheFramingIsCutOffWhileTheOthersServe(TransportKind transport, String fault,
      String expected, String alsoExpected) throws Exception {
    try (LogCapture logs = LogCapture.parent();
        WorkerPool pool = Pools.builder(transport, 3).fault(2, fault).start()) {
      PoolWorker bad = pool.worker(2);
      for (int i = 0; i < 2; i++) {
        bad.ping(ByteString.EMPTY).get(5, TimeUnit.SECONDS);
      }
      var exit = bad.exit().get(15, TimeUnit.SECONDS);
      assertThat(bad.state()).isEqualTo(WorkerState.CRASHED);
      assertThat(exit.cause()).contains("protocol error", expected, alsoExpected);
      assertThat(logs.matching("worker-2 pid " + bad.pid() + " broke the protocol", expected, alsoExpected))
          .as("parent warnings " + logs.lines()).hasSize(1);
      assertOthersServe(List.of(pool.worker(1), pool.worker(3)));
    }
  }

  /**
   * A worker printing to stdout: through System.out on any transport, or to fd 1 itself where fd 1 is its log
   * (sockets). The guard keeps the pipe clean, the line lands in the worker's log, and no channel breaks.
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
      "PIPE, stdout-after:2, stray line printed to System.out by worker 1",
      "UDS, stdout-after:2, stray line printed to System.out by worker 1",
      "TCP, stdout-after:2, stray line printed to System.out by worker 1",
      "UDS, raw-stdout-after:2, log4j:WARN No appenders could be found for logger (worker 1)",
      "TCP, raw-stdout-after:2, log4j:WARN No appenders could be found for logger (worker 1)"})
  void aStrayPrintLandsInTheWorkersLogAndBreaksNothing(TransportKind transport, String fault, String line)
      throws Exception {
    try (LogCapture logs = LogCapture.parent();
        WorkerPool pool = Pools.builder(transport, 2).fault(1, fault).start()) {
      PoolWorker w = pool.worker(1);
      for (int i = 0; i < 20; i++) {
        assertThat(w.ping(ByteString.copyFromUtf8("n" + i)).get(5, TimeUnit.SECONDS)
            .getPayload().toStringUtf8()).isEqualTo("n" + i);
      }
      assertThat(w.state()).isEqualTo(WorkerState.READY);
      assertThat(Files.readString(w.logFile())).contains(line);
      assertThat(logs.matching("broke the protocol")).isEmpty();
      assertOthersServe(pool.workers());
    }
  }

  /** Every worker still answers a ping and runs a task. */
  private static void assertOthersServe(List<PoolWorker> workers) throws Exception {
    for (PoolWorker w : workers) {
      assertThat(w.state()).as(w.name()).isEqualTo(WorkerState.READY);
      assertThat(w.ping(ByteString.copyFromUtf8("ok")).get(5, TimeUnit.SECONDS)
          .getPayload().toStringUtf8()).isEqualTo("ok");
      assertThat(w.submit(TaskSpec.of("echo", ByteString.copyFromUtf8("task for " + w.name()))
          .withDeadline(Duration.ofSeconds(10))).outcome().get(10, TimeUnit.SECONDS).result().getPayload().toStringUtf8())
          .isEqualTo("task for " + w.name());
    }
  }

  private static byte[] delimited(WorkerEnvelope envelope) throws java.io.IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    envelope.writeDelimitedTo(bytes);
    return bytes.toByteArray();
  }
}
