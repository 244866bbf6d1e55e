package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.protobuf.ByteString;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.RejectReason;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.TransportKind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Property-based fuzzing of the parent's dispatch, before and after the handshake: bytes of any kind through the
 * real pipeline of a worker socket, and envelopes of any kind into a bound worker's connection. Nothing escapes as
 * an exception, nothing hangs, and every answer is an error reply or a reject with a code and a message.
 */
class ParentDispatchFuzzTest {
  private static final int CAP = 1024;
  private static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1, r -> {
    Thread t = new Thread(r, "fuzz-timer");
    t.setDaemon(true);
    return t;
  });

  static {
    TIMER.setRemoveOnCancelPolicy(true);
  }

  /** Thousands of refusals: count them and check each names the peer, instead of printing them all. */
  private static final Logger PARENT_LOG = Logger.getLogger("dev.ipclab");
  private static final List<String> UNNAMED = new CopyOnWriteArrayList<>();
  private static final AtomicInteger WARNINGS = new AtomicInteger();
  private static final Handler WARNING_CHECK = new Handler() {
    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
        WARNINGS.incrementAndGet();
        String line = String.valueOf(record.getMessage());
        if (!line.contains("fuzz") && !line.contains("worker-9")) {
          UNNAMED.add(line);
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeContainer
  static void quietLogs() {
    PARENT_LOG.setUseParentHandlers(false);
    PARENT_LOG.addHandler(WARNING_CHECK);
  }

  @AfterContainer
  static void stopTimerAndCheckLogs() {
    TIMER.shutdownNow();
    PARENT_LOG.removeHandler(WARNING_CHECK);
    PARENT_LOG.setUseParentHandlers(true);
    assertThat(WARNINGS.get()).as("warnings logged for refused peers").isPositive();
    assertThat(UNNAMED).as("warnings that do not say which peer they are about").isEmpty();
  }

  /** Judges hellos as the pool would when no id matches: the fuzzer cannot spawn the process a match needs. */
  private static final WorkerRegistry NO_WORKERS = (hello, transport, peer) -> WorkerRegistry.Admission.reject(
      RejectReason.REJECT_REASON_UNKNOWN_WORKER, "no worker with id " + hello.getWorkerId() + " (fuzz)");

  @Property(tries = 1500)
  void anyBytesBeforeTheHandshakeGetOneCodedAnswerAndAClose(@ForAll("streams") byte[] input,
      @ForAll("chunks") List<Integer> chunks) {
    List<ParentEnvelope> replies = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      EmbeddedChannel ch = new EmbeddedChannel(
          new ParentChannelInitializer(TransportKind.TCP, "fuzz", CAP, NO_WORKERS, TIMER, 60_000));
      try {
        int at = 0;
        for (int i = 0; at < input.length && ch.isOpen(); i++) {
          int n = Math.min(chunks.get(i % chunks.size()), input.length - at);
          ch.writeInbound(Unpooled.wrappedBuffer(input, at, n)); // throws if anything escaped the pipeline
          at += n;
        }
        ch.runPendingTasks();
        List<ParentEnvelope> out = outbound(ch);
        // One answer, then the close: a stranger gets no second chance on the same channel.
        assertThat(out).hasSizeLessThanOrEqualTo(1);
        if (!out.isEmpty()) {
          assertThat(ch.isOpen()).as("closed after " + out.get(0)).isFalse();
        }
        return out;
      } finally {
        ch.finishAndReleaseAll();
      }
    });
    for (ParentEnvelope reply : replies) {
      assertCoded(reply);
    }
    Statistics.label("answer").collect(replies.isEmpty() ? "none yet"
        : reply(replies.get(0)));
    Statistics.label("answer").coverage(c -> {
      c.check("REJECT_REASON_HELLO_EXPECTED").percentage(p -> p > 1);
      c.check("REJECT_REASON_UNKNOWN_WORKER").percentage(p -> p > 1);
      c.check("ERROR_CODE_MALFORMED_FRAME").percentage(p -> p > 1);
      c.check("ERROR_CODE_FRAME_TOO_LARGE").percentage(p -> p > 1);
    });
  }

  @Property(tries = 1500)
  void anyEnvelopeAfterTheHandshakeIsHandledOrAnsweredWithACode(
      @ForAll("envelopes") List<WorkerEnvelope> envelopes) {
    FakeTransport transport = new FakeTransport();
    WorkerConnection connection = new WorkerConnection("worker-9", transport, CAP, TIMER);
    try {
      for (int i = 0; i < 3; i++) {
        connection.ping(ByteString.copyFromUtf8("in flight " + i), Duration.ofMinutes(1)); // ids a reply may hit
      }
      int pings = transport.sent.size();
      long expectedErrors = envelopes.stream().filter(e -> e.getKindCase() == WorkerEnvelope.KindCase.HELLO
          || e.getKindCase() == WorkerEnvelope.KindCase.KIND_NOT_SET).count();
      assertTimeoutPreemptively(Duration.ofSeconds(10), () -> envelopes.forEach(connection::onMessage));
      List<ParentEnvelope> replies = transport.sent.subList(pings, transport.sent.size());
      assertThat(replies).hasSize((int) expectedErrors);
      for (ParentEnvelope reply : replies) {
        assertThat(reply.getError().getCode())
            .isIn(ErrorCode.ERROR_CODE_UNEXPECTED_KIND, ErrorCode.ERROR_CODE_UNKNOWN_KIND);
        assertCoded(reply);
      }
      assertThat(connection.messagesIn()).isEqualTo(envelopes.size());
    } finally {
      connection.failAll(new IOException("fuzz case over"));
    }
  }

  @Provide
  Arbitrary<byte[]> streams() {
    return Arbitraries.oneOf(List.of(
        WorkerEnvelopes.almostValidStream(),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(512)));
  }

  @Provide
  Arbitrary<List<Integer>> chunks() {
    return Arbitraries.integers().between(1, 64).list().ofMinSize(1).ofMaxSize(8);
  }

  @Provide
  Arbitrary<List<WorkerEnvelope>> envelopes() {
    return WorkerEnvelopes.any().list().ofMaxSize(12);
  }

  private static List<ParentEnvelope> outbound(EmbeddedChannel ch) throws IOException {
    List<ParentEnvelope> out = new ArrayList<>();
    for (ByteBuf buf; (buf = ch.readOutbound()) != null; ) {
      try (ByteBufInputStream in = new ByteBufInputStream(buf, true)) {
        for (ParentEnvelope e; (e = ParentEnvelope.parseDelimitedFrom(in)) != null; ) {
          out.add(e);
        }
      }
    }
    return out;
  }

  private static String reply(ParentEnvelope e) {
    return e.hasReject() ? e.getReject().getReason().name() : e.getError().getCode().name();
  }

  /** An answer people and programs can act on: a reject or an error, with a reason code and a message. */
  private static void assertCoded(ParentEnvelope reply) {
    assertThat(reply.getKindCase()).isIn(ParentEnvelope.KindCase.REJECT, ParentEnvelope.KindCase.ERROR);
    if (reply.hasReject()) {
      assertThat(reply.getReject().getReason()).isNotIn(RejectReason.REJECT_REASON_UNSPECIFIED,
          RejectReason.UNRECOGNIZED);
      assertThat(reply.getReject().getMessage()).isNotBlank();
    } else {
      assertThat(reply.getError().getCode()).isNotIn(ErrorCode.ERROR_CODE_UNSPECIFIED, ErrorCode.UNRECOGNIZED);
      assertThat(reply.getError().getMessage()).isNotBlank();
    }
  }
}
