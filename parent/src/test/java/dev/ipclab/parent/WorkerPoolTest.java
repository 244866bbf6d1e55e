package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A whole pool on fake workers handed in through its {@link WorkerFactory}: no JVM is started. */
@Timeout(30)
class WorkerPoolTest {
  private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
  private final LinkedBlockingQueue<String> restarted = new LinkedBlockingQueue<>();
  private final PoolListener listener = new PoolListener() {
    @Override
    public void workerRestarted(int workerId, long oldPid, long newPid, long nanoTime) {
      restarted.add("worker-" + workerId + ": " + oldPid + " -> " + newPid);
    }
  };

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  @Test
  void aTaskOutlivesItsWorkerAndTheSlotIsRefilled() throws Exception {
    PoolSettings settings = FakeWorkers.settings(2, 2, 10, listener);
    FakeWorkers fakes = new FakeWorkers(settings, timer);
    try (WorkerPool pool = new WorkerPool(settings, fakes)) {
      FakeWorkers.Worker first = fakes.last(1);
      assertThat(pool.worker(1).pid()).isEqualTo(first.os().pid());
      TaskHandle task = pool.submit(TaskSpec.of("echo", ByteString.EMPTY));

      first.os().exit(FakeProcess.KILLED);
      fakes.last(2).answer(0, "done");

      TaskOutcome outcome = task.await();
      assertThat(outcome.attempts()).isEqualTo(2);
      assertThat(outcome.workerId()).isEqualTo(2);
      String restart = restarted.poll(10, TimeUnit.SECONDS);
      FakeWorkers.Worker second = fakes.last(1);
      assertThat(restart).isEqualTo("worker-1: " + first.os().pid() + " -> " + second.os().pid());
      assertThat(pool.worker(1).pid()).isEqualTo(second.os().pid());
      assertThat(pool.restarts(1)).isEqualTo(1);
      assertThat(pool.stats().completed()).isEqualTo(1);
      assertThat(pool.stats().retried()).isEqualTo(1);
    }
    assertThat(fakes.created).as("every fake worker was stopped by close").allSatisfy(w -> assertThat(w.os().isAlive())
        .isFalse());
  }
}
