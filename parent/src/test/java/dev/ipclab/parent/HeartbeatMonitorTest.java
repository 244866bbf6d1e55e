package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.proto.v1.Heartbeat;
import dev.ipclab.proto.v1.WorkerEnvelope;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The heartbeat monitor on a clock the test moves: the real time plus an offset, since the connection stamps what
 * it hears with the real one. A fake worker has no /proc entry, so silence alone decides.
 */
@Timeout(30)
class HeartbeatMonitorTest {
  private static final long INTERVAL_MS = 1_000;
  private static final long TIMEOUT_MS = 10_000;

  private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
  private final AtomicLong offsetNanos = new AtomicLong();
  private final Map<WorkerProcess, Long> hung = new ConcurrentHashMap<>();
  @TempDir
  Path logs;
  private FakeWorkers.Worker worker;
  private HeartbeatMonitor monitor;

  @BeforeEach
  void start() throws Exception {
    PoolSettings settings = FakeWorkers.settings(1, 1, 1, new PoolListener() {});
    FakeWorkers fakes = new FakeWorkers(settings, timer);
    fakes.create(1, logs.resolve("worker-1.log"), null);
    worker = fakes.last(1);
    monitor = new HeartbeatMonitor(() -> List.of(worker.process()), () -> System.nanoTime() + offsetNanos.get(),
        INTERVAL_MS, TIMEOUT_MS, hung::put);
  }

  @AfterEach
  void stopTimer() {
    monitor.close();
    timer.shutdownNow();
  }

  @Test
  void aWorkerHeardRecentlyIsLeftReadyAndSentAHeartbeat() {
    monitor.tick();

    assertThat(worker.process().state()).isEqualTo(WorkerState.READY);
    assertThat(hung).isEmpty();
    assertThat(worker.channel().sent).filteredOn(e -> e.hasHeartbeat()).hasSize(1);
  }

  @Test
  void aWorkerSilentPastTheTimeoutIsMarkedHungAndReportedOnce() {
    offsetNanos.set(TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS + 5_000));

    monitor.tick();
    monitor.tick();

    assertThat(worker.process().state()).isEqualTo(WorkerState.HUNG);
    assertThat(hung).containsOnlyKeys(worker.process());
    assertThat(hung.get(worker.process())).isGreaterThanOrEqualTo(TIMEOUT_MS + 5_000);
  }

  @Test
  void aWorkerSilentForLessThanTheTimeoutIsNotHung() {
    offsetNanos.set(TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS / 2 + 1_000));

    monitor.tick();

    assertThat(worker.process().state()).isEqualTo(WorkerState.READY);
    assertThat(hung).isEmpty();
  }

  @Test
  void aHungWorkerThatSpeaksAgainIsReadyAgain() {
    offsetNanos.set(TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS + 5_000));
    monitor.tick();
    assertThat(worker.process().state()).isEqualTo(WorkerState.HUNG);

    worker.channel().listener.onMessage(WorkerEnvelope.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance())
        .build()); // heard now, by the real clock
    offsetNanos.set(0);
    monitor.tick();

    assertThat(worker.process().state()).isEqualTo(WorkerState.READY);
  }
}
