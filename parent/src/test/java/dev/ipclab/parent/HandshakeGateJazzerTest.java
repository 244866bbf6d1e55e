package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.Hello;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.RejectReason;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.protocol.Protocol;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing (Jazzer) of the handshake gate behind the real pipeline of a worker socket (frame
 * decoder, envelope parser, gate), with one expected worker whose token and pid the hello must match.
 *
 * <pre>
 * input:  +--------+---------------------------------------------------+
 *         | how    | the bytes a stranger (or worker-1) sends           |
 *         +--------+---------------------------------------------------+
 * how:    bits 0-5 read size in bytes, 1..63 (0x3f: all of it in one read)
 * worker-1: protocol revision {@link Protocol#VERSION}, pid 4242, token "9f86d0...0a08" (see TOKEN)
 * </pre>
 *
 * <p>The first frame decides, as a model of the gate predicts from the bytes alone: a valid hello gets a Welcome
 * and binds the channel; anything else gets exactly one Reject (with the reason the pool would give) or one error
 * (malformed or too-large frame), and the channel closes. Nothing escapes the pipeline, every answer carries a code
 * and a message, a broken frame after the handshake still ends in an error and a close, and no buffer is sized by
 * an announced length. Regression runs replay {@code HandshakeGateJazzerTestInputs/}.
 */
class HandshakeGateJazzerTest {
  private static final int CAP = 1024;
  private static final String TOKEN = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  private static final long PID = 4242;
  /** A channel, its pipeline, worker-1's bookkeeping and the Welcome. */
  private static final long FIXED_ALLOCATION = 512 * 1024;
  /**
   * After the handshake each one-byte frame (an empty envelope) is answered with an error reply, which costs about
   * 5 KiB to build, encode and write (measured: 1.28 MB for 250 of them). A 2 GiB prefix costs no more than 5 bytes.
   */
  private static final long ALLOCATION_PER_BYTE = 8192;
  private static final Logger IPCLAB_LOG = Logger.getLogger("dev.ipclab");
  private static final PoolSettings SETTINGS = new PoolSettings(1, TransportKind.TCP, IdleStrategy.BLOCK,
      Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(1),
      Duration.ofSeconds(1), CAP, Path.of("ipclab-worker.jar"), List.of(), Map.of(), false,
      new TaskRouter.Limits(4, 1, 16, Backpressure.FAIL, 0, 0), 0, Duration.ofMinutes(1), Duration.ofMillis(100),
      Duration.ofSeconds(1), new PoolListener() {}, WorkerLaunch.DEFAULT, false, false, 0);
  private static ScheduledThreadPoolExecutor timer;
  private static Level savedLevel;

  @BeforeAll
  static void start() {
    timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "fuzz-timer");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
    // A refusal per input is logged as a warning: millions of lines would be the whole of a fuzzing run's time.
    savedLevel = IPCLAB_LOG.getLevel();
    IPCLAB_LOG.setLevel(Level.OFF);
  }

  @AfterAll
  static void stop() {
    IPCLAB_LOG.setLevel(savedLevel);
    timer.shutdownNow();
  }

  @FuzzTest(maxDuration = "2m")
  void gatesLikeThePool(byte[] input) throws Exception {
    if (input.length == 0) {
      return;
    }
    int readSize = (input[0] & 0x3f) == 0x3f ? Integer.MAX_VALUE : (input[0] & 0x3f) + 1;
    FuzzLimits.Measured<Run> measured = FuzzLimits.run(() -> feed(input, readSize));
    Run run = measured.value();
    Expected expected = Expected.of(input);

    List<ParentEnvelope> replies = run.replies;
    if (expected.welcome) {
      assertThat(replies).as("replies to a valid hello").isNotEmpty();
      assertThat(replies.get(0).hasWelcome()).as("first reply %s", replies.get(0)).isTrue();
      assertThat(replies.get(0).getWelcome().getMaxFrameBytes()).isEqualTo(CAP);
      replies.subList(1, replies.size()).forEach(HandshakeGateJazzerTest::assertCoded);
      if (expected.brokenAfterHandshake != null) {
        ParentEnvelope last = replies.get(replies.size() - 1);
        assertThat(last.getError().getCode()).as("last reply %s", last).isEqualTo(expected.brokenAfterHandshake);
        assertThat(run.open).as("open after a broken frame").isFalse();
      }
    } else if (expected.reject != null) {
      assertThat(replies).as("replies").hasSize(1);
      assertThat(replies.get(0).getReject().getReason()).as("reply %s", replies.get(0)).isEqualTo(expected.reject);
      assertCoded(replies.get(0));
      assertThat(run.open).as("open after the reject").isFalse();
    } else if (expected.error != null) {
      assertThat(replies).as("replies").hasSize(1);
      assertThat(replies.get(0).getError().getCode()).as("reply %s", replies.get(0)).isEqualTo(expected.error);
      assertCoded(replies.get(0));
      assertThat(run.open).as("open after the error").isFalse();
    } else {
      assertThat(replies).as("replies while no whole frame has arrived").isEmpty();
      assertThat(run.open).as("open, waiting for the rest of the hello").isTrue();
    }
    assertThat(run.bound).as("bound to worker-1").isEqualTo(expected.welcome);
    assertThat(run.largestBufferRequest).as("largest buffer asked of the allocator")
        .isLessThanOrEqualTo(2L * input.length + 4096);
    assertThat(measured.allocatedBytes()).as("bytes the channel's thread allocated for %d input bytes", input.length)
        .isLessThanOrEqualTo(FIXED_ALLOCATION + ALLOCATION_PER_BYTE * input.length);
  }

  private record Run(List<ParentEnvelope> replies, boolean open, boolean bound, long largestBufferRequest) {}

  private static Run feed(byte[] input, int readSize) throws Exception {
    WorkerProcess worker = new WorkerProcess(1, TOKEN, SETTINGS, Path.of("worker-1.log"), timer, new FakeProcess(),
        System.nanoTime(), null);
    RecordingAllocator alloc = new RecordingAllocator();
    EmbeddedChannel ch = new EmbeddedChannel(false, false);
    ch.config().setAllocator(alloc);
    ch.pipeline().addLast(new ParentChannelInitializer(TransportKind.TCP, "fuzz", CAP, registry(worker), timer,
        60_000));
    ch.register();
    try {
      for (int at = 1; at < input.length && ch.isOpen(); ) {
        int n = Math.min(readSize, input.length - at);
        ch.writeInbound(Unpooled.wrappedBuffer(input, at, n)); // throws if anything escaped the pipeline
        at += n;
      }
      ch.runPendingTasks();
      List<ParentEnvelope> replies = new ArrayList<>();
      for (ByteBuf buf; (buf = ch.readOutbound()) != null; ) {
        try (ByteBufInputStream in = new ByteBufInputStream(buf, true)) {
          for (ParentEnvelope e; (e = ParentEnvelope.parseDelimitedFrom(in)) != null; ) {
            replies.add(e);
          }
        }
      }
      return new Run(replies, ch.isOpen(), worker.state() == WorkerState.READY, alloc.largestRequest);
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  /** Judges a hello as {@link WorkerPool#admit} does, for a pool whose only worker is {@code worker}. */
  private static WorkerRegistry registry(WorkerProcess worker) {
    return (hello, transport, peer) -> {
      if (hello.getProtocolVersion() != Protocol.VERSION) {
        return WorkerRegistry.Admission.reject(RejectReason.REJECT_REASON_PROTOCOL_VERSION, "revision "
            + hello.getProtocolVersion() + " (fuzz)");
      }
      if (hello.getWorkerId() != 1) {
        return WorkerRegistry.Admission.reject(RejectReason.REJECT_REASON_UNKNOWN_WORKER, "no worker "
            + hello.getWorkerId() + " (fuzz)");
      }
      String problem = worker.checkHello(hello, peer);
      if (problem != null) {
        return WorkerRegistry.Admission.reject(problem.startsWith("the token") ? RejectReason.REJECT_REASON_BAD_TOKEN
            : RejectReason.REJECT_REASON_UNKNOWN_WORKER, problem);
      }
      return WorkerRegistry.Admission.accept(worker);
    };
  }

  /** What the gate must do with these bytes, worked out from the bytes alone. */
  private record Expected(boolean welcome, RejectReason reject, ErrorCode error, ErrorCode brokenAfterHandshake) {
    static Expected of(byte[] stream) {
      boolean bound = false;
      int at = 1;
      while (at < stream.length) {
        long length = 0;
        int p = at;
        boolean whole = false;
        ErrorCode broken = null;
        for (int i = 0; ; i++) {
          if (p == stream.length) {
            break;
          }
          if (i == 5) {
            broken = ErrorCode.ERROR_CODE_MALFORMED_FRAME;
            break;
          }
          int b = stream[p++] & 0xff;
          length |= (long) (b & 0x7f) << (7 * i);
          if (b < 0x80) {
            whole = true;
            break;
          }
        }
        if (broken == null && whole && length > CAP) {
          broken = ErrorCode.ERROR_CODE_FRAME_TOO_LARGE;
        }
        WorkerEnvelope envelope = null;
        if (broken == null) {
          if (!whole || stream.length - p < length) {
            break; // waits for the rest
          }
          try {
            envelope = WorkerEnvelope.parseFrom(Arrays.copyOfRange(stream, p, p + (int) length));
          } catch (InvalidProtocolBufferException e) {
            broken = ErrorCode.ERROR_CODE_MALFORMED_FRAME;
          }
          at = p + (int) length;
        }
        if (broken != null) {
          return bound ? new Expected(true, null, null, broken) : new Expected(false, null, broken, null);
        }
        if (bound) {
          continue; // the worker's connection handles it; only framing is predicted here
        }
        if (!envelope.hasHello()) {
          return new Expected(false, RejectReason.REJECT_REASON_HELLO_EXPECTED, null, null);
        }
        RejectReason verdict = verdict(envelope.getHello());
        if (verdict != null) {
          return new Expected(false, verdict, null, null);
        }
        bound = true;
      }
      return new Expected(bound, null, null, null);
    }

    private static RejectReason verdict(Hello hello) {
      if (hello.getProtocolVersion() != Protocol.VERSION) {
        return RejectReason.REJECT_REASON_PROTOCOL_VERSION;
      }
      if (hello.getWorkerId() != 1) {
        return RejectReason.REJECT_REASON_UNKNOWN_WORKER;
      }
      if (!hello.getToken().equals(TOKEN)) {
        return RejectReason.REJECT_REASON_BAD_TOKEN;
      }
      return hello.getPid() == PID ? null : RejectReason.REJECT_REASON_UNKNOWN_WORKER;
    }
  }

  /** An answer people and programs can act on: a reject or an error, with a reason code and a message. */
  private static void assertCoded(ParentEnvelope reply) {
    assertThat(reply.getKindCase()).as("reply %s", reply)
        .isIn(ParentEnvelope.KindCase.REJECT, ParentEnvelope.KindCase.ERROR);
    if (reply.hasReject()) {
      assertThat(reply.getReject().getReason()).isNotIn(RejectReason.REJECT_REASON_UNSPECIFIED,
          RejectReason.UNRECOGNIZED);
      assertThat(reply.getReject().getMessage()).isNotBlank();
    } else {
      assertThat(reply.getError().getCode()).isNotIn(ErrorCode.ERROR_CODE_UNSPECIFIED, ErrorCode.UNRECOGNIZED);
      assertThat(reply.getError().getMessage()).isNotBlank();
    }
  }

  /** Worker-1's process as the gate sees it: a pid, and never alive when the reaper looks. */
  private static final class FakeProcess extends Process {
    @Override
    public long pid() {
      return PID;
    }

    @Override
    public boolean isAlive() {
      return false;
    }

    @Override
    public OutputStream getOutputStream() {
      return OutputStream.nullOutputStream();
    }

    @Override
    public InputStream getInputStream() {
      return InputStream.nullInputStream();
    }

    @Override
    public InputStream getErrorStream() {
      return InputStream.nullInputStream();
    }

    @Override
    public int waitFor() {
      return 0;
    }

    @Override
    public int exitValue() {
      return 0;
    }

    @Override
    public void destroy() {}
  }

  /** Remembers the largest capacity anyone asked it for. */
  private static final class RecordingAllocator extends AbstractByteBufAllocator {
    private final UnpooledByteBufAllocator delegate = new UnpooledByteBufAllocator(false);
    long largestRequest;

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
      largestRequest = Math.max(largestRequest, initialCapacity);
      return delegate.heapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
      largestRequest = Math.max(largestRequest, initialCapacity);
      return delegate.directBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
      return false;
    }
  }
}
