package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.WorkerFailedException;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.WorkerProcess;
import dev.ipclab.parent.WorkerState;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.Hello;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.RejectReason;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.Protocol;
import dev.ipclab.transport.TransportKind;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Peers that lie, babble or say nothing: each gets a clear error or rejection, its channel is closed, and the
 * parent goes on serving the other workers, with no OutOfMemoryError (this JVM runs with -Xmx256m).
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BadPeerIT {

  @ParameterizedTest
  @EnumSource(value = TransportKind.class, names = {"TCP", "UDS"})
  void hostileConnectionsAreAnsweredAndClosedWhileWorkersCarryOn(TransportKind transport) throws Exception {
    try (WorkerPool pool = Pools.builder(transport, 2).handshakeTimeout(Duration.ofSeconds(2)).start()) {
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
        ParentEnvelope reply = peer.read(); // says nothing: the hello deadline (2 s) closes it
        assertThat(reply.getError().getCode()).isEqualTo(ErrorCode.ERROR_CODE_HANDSHAKE_TIMEOUT);
        assertThat(reply.getError().getMessage()).contains("no hello", "within 2000 ms");
        assertThat(peer.read()).isNull();
      }

      for (WorkerProcess w : pool.workers()) {
        assertThat(w.state()).isEqualTo(WorkerState.READY);
        assertThat(w.connection().ping(ByteString.copyFromUtf8("ok")).get(5, TimeUnit.SECONDS)
            .getPayload().toStringUtf8()).isEqualTo("ok");
      }
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

  @ParameterizedTest
  @EnumSource(value = TransportKind.class, names = {"PIPE", "SHM"})
  void garbageFromAWorkerCrashesOnlyThatWorker(TransportKind transport) throws Exception {
    try (WorkerPool pool = Pools.builder(transport, 2).fault(1, "garbage-after:3").start()) {
      WorkerProcess bad = pool.worker(1);
      for (int i = 0; i < 3; i++) {
        bad.connection().ping(ByteString.EMPTY).get(5, TimeUnit.SECONDS);
      }
      var exit = bad.exit().get(10, TimeUnit.SECONDS);
      assertThat(bad.state()).isEqualTo(WorkerState.CRASHED);
      assertThat(exit.cause()).contains("protocol error", "length prefix longer than 5 bytes", "stdout",
          transport == TransportKind.SHM ? "shm /dev/shm/ipclab-" : "stdin/stdout of worker-1");
      assertThat(pool.worker(2).connection().ping(ByteString.EMPTY).get(5, TimeUnit.SECONDS)).isNotNull();
    }
  }

  @ParameterizedTest
  @EnumSource(value = TransportKind.class, names = {"PIPE", "SHM"})
  void twoGibFramePrefixFromAWorkerIsRefusedBeforeAllocation(TransportKind transport) throws Exception {
    try (WorkerPool pool = Pools.builder(transport, 2).fault(1, "huge-frame-after:1").start()) {
      WorkerProcess bad = pool.worker(1);
      bad.connection().ping(ByteString.EMPTY).get(5, TimeUnit.SECONDS);
      var exit = bad.exit().get(10, TimeUnit.SECONDS);
      assertThat(exit.cause()).contains("2147483648 bytes (2.0 GiB)", "over the limit of 16777216 bytes");
      assertThat(bad.state()).isEqualTo(WorkerState.CRASHED);
      assertThat(pool.worker(2).connection().ping(ByteString.EMPTY).get(5, TimeUnit.SECONDS)).isNotNull();
    }
  }

  @Test
  void strayPrintToSystemOutDoesNotCorruptThePipeProtocol() throws Exception {
    try (WorkerPool pool = Pools.builder(TransportKind.PIPE, 1).fault(1, "stdout-after:2").start()) {
      WorkerProcess w = pool.worker(1);
      for (int i = 0; i < 20; i++) {
        assertThat(w.connection().ping(ByteString.copyFromUtf8("n" + i)).get(5, TimeUnit.SECONDS)
            .getPayload().toStringUtf8()).isEqualTo("n" + i);
      }
      assertThat(w.state()).isEqualTo(WorkerState.READY);
      assertThat(Files.readString(w.logFile())).contains("stray line printed to System.out by worker 1");
    }
  }

  private static byte[] delimited(WorkerEnvelope envelope) throws java.io.IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    envelope.writeDelimitedTo(bytes);
    return bytes.toByteArray();
  }
}
