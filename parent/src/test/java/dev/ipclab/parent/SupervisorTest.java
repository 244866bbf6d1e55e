package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor against fake workers: restarts, hung workers, and giving the pool up past the intensity. */
@Timeout(30)
class SupervisorTest {
  private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
  /** The pids of each restart, "old -> new", as the listener hears of them (on the timer thread). */
  private final LinkedBlockingQueue<String> restarted = new LinkedBlockingQueue<>();
  private final List<String> down = new CopyOnWriteArrayList<>();
  private final PoolListener listener = new PoolListener() {
    @Override
    public void workerRestarted(int workerId, long oldPid, long newPid, long nanoTime) {
      restarted.add(oldPid + " -> " + newPid);
    }

    @Override
    public void workerDown(int workerId, long pid, String cause, long nanoTime) {
      down.add("worker-" + workerId + " pid " + pid + ": " + cause);
    }
  };
  @TempDir
  Path logs;
  private final WorkerSlot slot = new WorkerSlot(1);
  private FakeWorkers fakes;
  private TaskRouter router;
  private Supervisor supervisor;

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  /** One slot with a READY fake worker, watched by a supervisor that allows {@code maxRestarts} restarts. */
  private void start(int maxRestarts) throws Exception {
    PoolSettings settings = FakeWorkers.settings(1, 1, maxRestarts, listener);
    fakes = new FakeWorkers(settings, timer);
    router = new TaskRouter(settings.limits(), List.of(slot), timer, listener, (s, w) -> {});
    Supervisor.Spawner spawner = s -> {
      WorkerProcess w = fakes.create(s.id, logs.resolve("worker-" + s.id + "." + fakes.created.size() + ".log"),
          null);
      router.fill(s, w);
      return w;
    };
    supervisor = new Supervisor(settings, List.of(slot), timer, router, spawner, () -> false, () -> {}, logs,
        () -> null);
    supervisor.watch(slot, spawner.spawn(slot));
  }

  @Test
  void aCrashedWorkerIsReplacedInItsSlot() throws Exception {
    start(10);
    FakeWorkers.Worker first = fakes.last(1);

    first.os().exit(1);

    String restart = restarted.poll(10, TimeUnit.SECONDS); // after the backoff, on the timer thread
    FakeWorkers.Worker second = fakes.last(1);
    assertThat(second).isNotSameAs(first);
    assertThat(restart).isEqualTo(first.os().pid() + " -> " + second.os().pid());
    assertThat(slot.current()).isSameAs(second.process());
    assertThat(supervisor.restarts()).isEqualTo(1);
    assertThat(down).singleElement().asString().startsWith("worker-1 pid " + first.os().pid() + ": ");
    assertThat(supervisor.failure()).isNotDone();
  }

  @Test
  void moreRestartsThanTheIntensityAllowsFailThePool() throws Exception {
    start(1);
    fakes.last(1).os().exit(1); // the one restart allowed
    assertThat(restarted.poll(10, TimeUnit.SECONDS)).isNotNull();
    router.submit(TaskSpec.of("echo", ByteString.EMPTY)); // in flight: fails with the worker's exit
    TaskHandle queued = router.submit(TaskSpec.of("echo", ByteString.EMPTY));

    fakes.last(1).os().exit(1); // one too many

    PoolFailedException failure = supervisor.failure().get(10, TimeUnit.SECONDS);
    assertThat(failure).hasMessageContaining("2 worker restarts within 3600000 ms exceed its restart intensity of 1");
    assertThat(queued.outcome().handle((o, e) -> e).get(10, TimeUnit.SECONDS))
        .as("the task still queued when the pool gave up").isSameAs(failure);
    assertThatThrownBy(() -> router.submit(TaskSpec.of("echo", ByteString.EMPTY))).isSameAs(failure);
    assertThat(fakes.created).as("nothing respawned after giving up").hasSize(2);
  }

  @Test
  void aHungWorkerIsKilledReportedOnceAndReplaced() throws Exception {
    start(10);
    FakeWorkers.Worker hung = fakes.last(1);
    assertThat(hung.process().markHung(5000)).isTrue();

    supervisor.onHung(hung.process(), 5000);

    assertThat(hung.os().isAlive()).as("killed").isFalse();
    assertThat(hung.os().exitValue()).isEqualTo(FakeProcess.KILLED);
    assertThat(restarted.poll(10, TimeUnit.SECONDS)).startsWith(hung.os().pid() + " -> ");
    assertThat(down).as("the hang and the kill it brought are one going down").singleElement().asString()
        .contains("declared hung: nothing heard for 5000 ms");
  }
}
