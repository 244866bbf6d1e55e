package dev.ipclab.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.ipclab.proto.v1.CancelTask;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.ErrorReply;
import dev.ipclab.proto.v1.Heartbeat;
import dev.ipclab.proto.v1.JvmFacts;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.Ping;
import dev.ipclab.proto.v1.Reject;
import dev.ipclab.proto.v1.Shutdown;
import dev.ipclab.proto.v1.StatusRequest;
import dev.ipclab.proto.v1.Task;
import dev.ipclab.proto.v1.Welcome;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.Transport;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.TransportListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property-based fuzzing of the worker's dispatch, in memory: any sequence of parent envelopes, welcome or not,
 * known kinds with odd values and kinds from a newer parent. Nothing escapes as an exception, nothing hangs, and
 * every error the worker sends carries a code and a message.
 */
class WorkerSessionFuzzTest {
  private static final Logger WORKER_LOG = Logger.getLogger("dev.ipclab");
  private static Level savedLevel;

  @BeforeContainer
  static void quietLogs() {
    savedLevel = WORKER_LOG.getLevel();
    WORKER_LOG.setLevel(Level.OFF); // thousands of expected warnings would bury a real failure
  }

  @AfterContainer
  static void restoreLogs() {
    WORKER_LOG.setLevel(savedLevel);
  }

  @Property(tries = 600)
  void anyEnvelopesAreHandledOrAnsweredWithACode(@ForAll("sequences") List<ParentEnvelope> envelopes) {
    RecordingTransport inner = new RecordingTransport();
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    WorkerSession session = new WorkerSession(
        new WorkerConfig(7, TransportKind.PIPE, null, "ab".repeat(32), 1 << 20, IdleStrategy.BLOCK, null),
        new CountingTransport(inner), Faults.NONE, JvmFacts.getDefaultInstance(), exit,
        java.util.List.of(new dev.ipclab.worker.task.BuiltInTasks()));
    try {
      session.begin();
      assertThat(inner.sent.get(0).hasHello()).isTrue();
      assertTimeoutPreemptively(Duration.ofSeconds(10), () -> envelopes.forEach(inner.listener::onMessage));
    } finally {
      session.stop();
    }
    for (WorkerEnvelope reply : inner.sent) {
      assertThat(reply.getKindCase()).isNotEqualTo(WorkerEnvelope.KindCase.KIND_NOT_SET);
      if (reply.hasError()) {
        assertThat(reply.getError().getCode()).isNotIn(ErrorCode.ERROR_CODE_UNSPECIFIED, ErrorCode.UNRECOGNIZED);
        assertThat(reply.getError().getMessage()).isNotBlank();
      }
    }
    long unknown = envelopes.stream().filter(e -> e.getKindCase() == ParentEnvelope.KindCase.KIND_NOT_SET).count();
    assertThat(inner.sent.stream().filter(r -> r.getError().getCode() == ErrorCode.ERROR_CODE_UNKNOWN_KIND).count())
        .as("one UNKNOWN_KIND error per envelope of a kind this worker does not know").isEqualTo(unknown);
  }

  @Provide
  Arbitrary<List<ParentEnvelope>> sequences() {
    return envelope().list().ofMaxSize(10);
  }

  private static Arbitrary<ParentEnvelope> envelope() {
    Arbitrary<ByteString> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(32).map(ByteString::copyFrom);
    Arbitrary<String> text = Arbitraries.strings().ofMaxLength(40);
    Arbitrary<ParentEnvelope.Builder> kind = Arbitraries.oneOf(List.of(
        Combinators.combine(Arbitraries.integers().between(-1, 2000), Arbitraries.integers().between(-1, 5000))
            .as((interval, timeout) -> ParentEnvelope.newBuilder().setWelcome(Welcome.newBuilder()
                .setHeartbeatIntervalMs(interval).setHeartbeatTimeoutMs(timeout).setMaxFrameBytes(1 << 20))),
        Arbitraries.integers().between(0, 6).map(r -> ParentEnvelope.newBuilder()
            .setReject(Reject.newBuilder().setReasonValue(r).setMessage("fuzz"))),
        bytes.map(p -> ParentEnvelope.newBuilder().setPing(Ping.newBuilder().setPayload(p))),
        Arbitraries.longs().map(n -> ParentEnvelope.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSequence(n))),
        Arbitraries.integers().between(0, 100).map(g -> ParentEnvelope.newBuilder()
            .setShutdown(Shutdown.newBuilder().setGraceMs(g))),
        Combinators.combine(Arbitraries.integers().between(0, 40), text).as((c, m) -> ParentEnvelope.newBuilder()
            .setError(ErrorReply.newBuilder().setCodeValue(c).setMessage(m))),
        Combinators.combine(Arbitraries.of("echo", "fail", "no-such-kind", "", "threads-share.race"), bytes,
                Arbitraries.integers().between(0, 2000))
            .as((k, p, d) -> ParentEnvelope.newBuilder()
                .setTask(Task.newBuilder().setKind(k).setPayload(p).setDeadlineMs(d))),
        Arbitraries.longs().between(0, 12).map(id -> ParentEnvelope.newBuilder()
            .setCancel(CancelTask.newBuilder().setTaskRequestId(id).setReason("fuzz"))),
        Arbitraries.just(ParentEnvelope.newBuilder().setStatusRequest(StatusRequest.getDefaultInstance())),
        Arbitraries.just(ParentEnvelope.newBuilder()),
        Arbitraries.integers().between(2, 300).filter(f -> ParentEnvelope.getDescriptor().findFieldByNumber(f) == null)
            .map(f -> ParentEnvelope.newBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(f, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build()))));
    return Combinators.combine(kind, Arbitraries.longs().between(0, 12)).as((b, id) -> b.setRequestId(id).build());
  }

  /** An in-memory worker-side transport: records every envelope the worker sends. */
  private static final class RecordingTransport implements Transport<ParentEnvelope, WorkerEnvelope> {
    final List<WorkerEnvelope> sent = new CopyOnWriteArrayList<>();
    volatile TransportListener<ParentEnvelope> listener;
    private final CompletableFuture<Throwable> closed = new CompletableFuture<>();

    @Override
    public void start(TransportListener<ParentEnvelope> listener) {
      this.listener = listener;
    }

    @Override
    public void send(WorkerEnvelope message) {
      sent.add(message);
    }

    @Override
    public void offer(WorkerEnvelope message) {
      sent.add(message);
    }

    @Override
    public void sendAndClose(WorkerEnvelope message) {
      sent.add(message);
      close();
    }

    @Override
    public CompletableFuture<Throwable> closeFuture() {
      return closed;
    }

    @Override
    public String describe() {
      return "in-memory parent";
    }

    @Override
    public TransportKind kind() {
      return TransportKind.PIPE;
    }

    @Override
    public void close() {
      closed.complete(null);
    }
  }
}
