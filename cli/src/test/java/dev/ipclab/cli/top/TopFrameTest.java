package dev.ipclab.cli.top;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.proto.v1.ControlSnapshot;
import dev.ipclab.proto.v1.PoolSnapshot;
import dev.ipclab.proto.v1.WorkerSnapshot;
import dev.ipclab.proto.v1.WorkerStatus;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class TopFrameTest {
  private static final Offset<Double> CLOSE = Offset.offset(1e-9);

  @Test
  void ratesAndCpuAreDeltasOverTheTimeBetweenSamples() {
    TopSample before = sample(0, 100, 10, 1_000, 50, 200, 5);
    TopSample after = sample(2_000_000_000L, 130, 30, 3_000, 70, 260, 2);
    TopFrame frame = TopFrame.between(before, after);

    assertThat(frame.seconds()).isCloseTo(2.0, CLOSE);
    assertThat(frame.transports()).containsExactly("uds");
    TopFrame.Row parent = frame.rows().get(0);
    TopFrame.Row worker = frame.rows().get(1);
    assertThat(parent.pid()).isEqualTo(1);
    assertThat(parent.cpuPercent()).as("30 ticks = 0.3 s of CPU in 2 s").isCloseTo(15.0, CLOSE);
    assertThat(parent.messagesInPerSecond()).as("the parent's own count: 60 more in 2 s").isCloseTo(30.0, CLOSE);
    assertThat(worker.messagesInPerSecond()).as("the worker's own count: 20 more in 2 s").isCloseTo(10.0, CLOSE);
    assertThat(worker.bytesInPerSecond()).isCloseTo(1_000.0, CLOSE);
    assertThat(worker.cpuPercent()).isCloseTo(10.0, CLOSE);
    assertThat(worker.inFlight()).isEqualTo(2);
    assertThat(worker.threads()).isEqualTo(17);
    assertThat(worker.statusError()).isNull();
  }

  @Test
  void aWorkerThatDidNotAnswerHasNoRatesAndSaysWhy() {
    TopSample before = sample(0, 100, 10, 1_000, 50, 200, 0);
    ControlSnapshot silent = before.snapshot().toBuilder().setPools(0, before.snapshot().getPools(0).toBuilder()
        .setWorkers(0, before.snapshot().getPools(0).getWorkers(0).toBuilder().clearStatus()
            .setStatusError("no answer within 500 ms"))).build();
    TopSample after = new TopSample(1_000_000_000L, silent, before.cpuTicks(), before.status());
    TopFrame.Row worker = TopFrame.between(before, after).rows().get(1);
    assertThat(worker.messagesInPerSecond()).isNull();
    assertThat(worker.statusError()).isEqualTo("no answer within 500 ms");
  }

  private static TopSample sample(long nanos, long parentTicks, long frames, long bytes, long workerTicks,
      long parentIn, int inFlight) {
    WorkerSnapshot worker = WorkerSnapshot.newBuilder().setWorkerId(1).setPid(2).setState("READY")
        .setParentMessagesIn(parentIn).setParentMessagesOut(parentIn).setInFlight(inFlight)
        .setStatus(WorkerStatus.newBuilder().setFramesReceived(frames).setFramesSent(frames)
            .setBytesReceived(bytes).setBytesSent(bytes))
        .build();
    ControlSnapshot snapshot = ControlSnapshot.newBuilder().setParentPid(1).setParentUptimeMs(5_000)
        .addPools(PoolSnapshot.newBuilder().setTransport("uds").addWorkers(worker)).build();
    return new TopSample(nanos, snapshot, Map.of(1L, parentTicks, 2L, workerTicks),
        Map.of(1L, Optional.of(new ProcStatus(1, 0, "S (sleeping)", 30, 100_000)),
            2L, Optional.of(new ProcStatus(2, 1, "S (sleeping)", 17, 60_000))));
  }
}
