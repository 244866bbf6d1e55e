package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.Heartbeat;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.RejectReason;
import dev.ipclab.proto.v1.WorkerEnvelope;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The handshake gate: what it lets through, what it turns away, and that it leaves once the handshake is done. */
@Timeout(30)
class HandshakeGateTest {
  private static final long PID = 10_000_001;
  private static final String TOKEN = "the-token";

  private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
  private final PoolSettings settings = FakeWorkers.settings(1, 1, 1, new PoolListener() {});
  private final WorkerProcess worker = new WorkerProcess(1, TOKEN, settings, Path.of("worker-1.log"), timer,
      new FakeProcess(PID), System.nanoTime(), null);
  private final WorkerRegistry registry = new PoolAdmission(settings, id -> id == 1 ? worker : null);
  private final FakeTransport channel = new FakeTransport();
  private final List<String> refusals = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  @Test
  void aRightHelloIsWelcomedAndTheGateHandsTheChannelToTheWorker() {
    HandshakeGate.guard(registry, channel, null, timer, 10_000, refusals::add);

    channel.listener.onMessage(hello(TOKEN));

    assertThat(channel.sent).hasSize(1);
    assertThat(channel.sent.getFirst().hasWelcome()).as("first reply %s", channel.sent.getFirst()).isTrue();
    assertThat(worker.state()).isEqualTo(WorkerState.READY);
    assertThat(channel.listener).as("the channel's listener after the handshake: the gate is out of the way")
        .isInstanceOf(BoundChannel.class);
    assertThat(channel.isClosed()).isFalse();
    assertThat(refusals).isEmpty();
  }

  @Test
  void framesAfterTheHandshakeGoStraightToTheWorkersConnection() {
    HandshakeGate.guard(registry, channel, null, timer, 10_000, refusals::add);
    channel.listener.onMessage(hello(TOKEN));
    long before = worker.connection().lastHeardNanos();

    channel.listener.onMessage(WorkerEnvelope.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance()).build());

    assertThat(worker.connection().lastHeardNanos()).as("heard last, after a heartbeat").isGreaterThan(before);
    assertThat(channel.sent).as("a second hello would be refused; a heartbeat is just heard").hasSize(1);
  }

  @Test
  void aWrongTokenIsRejectedAndTheChannelClosed() {
    HandshakeGate.guard(registry, channel, null, timer, 10_000, refusals::add);

    channel.listener.onMessage(hello("not-the-token"));

    assertThat(channel.sent).hasSize(1);
    assertThat(channel.sent.getFirst().getReject().getReason()).isEqualTo(RejectReason.REJECT_REASON_BAD_TOKEN);
    assertThat(channel.sent.getFirst().getReject().getMessage()).contains("token does not match", "worker-1");
    assertThat(channel.isClosed()).isTrue();
    assertThat(worker.state()).isEqualTo(WorkerState.STARTING);
    assertThat(refusals).singleElement().asString().startsWith("handshake rejected: the token");
  }

  @Test
  void aFirstFrameThatIsNoHelloIsRejectedAndNothingAfterItIsHeard() {
    HandshakeGate.guard(registry, channel, null, timer, 10_000, refusals::add);

    channel.listener.onMessage(WorkerEnvelope.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance()).build());
    channel.listener.onMessage(hello(TOKEN)); // too late: the channel is already refused

    assertThat(channel.sent).hasSize(1);
    ParentEnvelope reply = channel.sent.getFirst();
    assertThat(reply.getReject().getReason()).isEqualTo(RejectReason.REJECT_REASON_HELLO_EXPECTED);
    assertThat(reply.getReject().getMessage()).contains("expected a hello as the first frame, got HEARTBEAT");
    assertThat(channel.isClosed()).isTrue();
    assertThat(worker.state()).isEqualTo(WorkerState.STARTING);
  }

  @Test
  void aHelloClaimingAnotherPidIsRejected() {
    HandshakeGate.guard(registry, channel, null, timer, 10_000, refusals::add);

    channel.listener.onMessage(WorkerEnvelope.newBuilder().setHello(FakeWorkers.hello(1, PID + 1, TOKEN)).build());

    assertThat(channel.sent.getFirst().getReject().getMessage())
        .contains("claims pid " + (PID + 1), "worker-1 is pid " + PID);
    assertThat(channel.isClosed()).isTrue();
  }

  @Test
  void noHelloWithinTheDeadlineGetsATimeoutErrorAndAClose() throws Exception {
    HandshakeGate.guard(registry, channel, null, timer, 1, refusals::add);

    channel.closeFuture().get(10, TimeUnit.SECONDS); // closed by the deadline, on the timer thread

    assertThat(channel.sent).singleElement().satisfies(reply -> {
      assertThat(reply.getError().getCode()).isEqualTo(ErrorCode.ERROR_CODE_HANDSHAKE_TIMEOUT);
      assertThat(reply.getError().getMessage()).contains("no hello", "within 1 ms");
    });
    assertThat(refusals).singleElement().asString().contains("no hello");
  }

  private static WorkerEnvelope hello(String token) {
    return WorkerEnvelope.newBuilder().setHello(FakeWorkers.hello(1, PID, token)).build();
  }
}
