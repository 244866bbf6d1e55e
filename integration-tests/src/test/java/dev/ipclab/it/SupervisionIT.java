package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.ExitDescription;
import dev.ipclab.parent.ParentRecord;
import dev.ipclab.parent.PoolFailedException;
import dev.ipclab.parent.PoolListener;
import dev.ipclab.parent.PoolStats;
import dev.ipclab.parent.TaskFailedException;
import dev.ipclab.parent.TaskHandle;
import dev.ipclab.parent.TaskOutcome;
import dev.ipclab.parent.TaskSpec;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.WorkerState;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.worker.task.BuiltInTasks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The pool's supervision with real workers and real signals: retries when a worker is SIGKILLed, hung workers
 * killed and replaced, the restart intensity tripping, recycling, memory limits. The bounded queue, deadlines and
 * cancellation are in {@link QueueAndCancelIT}.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SupervisionIT {

  /** What the listener heard, with System.nanoTime() stamps. */
  static final class Heard implements PoolListener {
    record Down(int workerId, long pid, String cause, long nanos) {}

    record Restarted(int workerId, long oldPid, long newPid, long nanos) {}

    final List<Down> downs = new CopyOnWriteArrayList<>();
    final List<Restarted> restarts = new CopyOnWriteArrayList<>();
    final List<Long> retriedTasks = new CopyOnWriteArrayList<>();

    @Override
    public void workerDown(int workerId, long pid, String cause, long detectedNanos) {
      downs.add(new Down(workerId, pid, cause, detectedNanos));
    }

    @Override
    public void workerRestarted(int workerId, long oldPid, long newPid, long readyNanos) {
      restarts.add(new Restarted(workerId, oldPid, newPid, readyNanos));
    }

    @Override
    public void taskRetried(long taskId, int attempt, String cause) {
      retriedTasks.add(taskId);
    }
  }

  @ParameterizedTest
  @EnumSource(value = TransportKind.class, names = {"PIPE", "UDS"})
  void sigkillMidTaskLosesNoTaskAndDuplicatesNone(TransportKind transport) throws Exception {
    Heard heard = new Heard();
    try (WorkerPool pool = Pools.builder(transport, 3).maxInFlightPerWorker(4).listener(heard).start()) {
      long victim = pool.worker(2).pid();
      Map<Long, AtomicInteger> outcomesPerTask = new ConcurrentHashMap<>();
      List<TaskHandle> handles = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        TaskHandle h = pool.submit(TaskSpec.of("sleep", BuiltInTasks.sleepPayload(50 + 2L * i)));
        outcomesPerTask.put(h.id(), new AtomicInteger());
        h.outcome().whenComplete((o, e) -> outcomesPerTask.get(h.id()).incrementAndGet());
        handles.add(h);
      }
      // Kill once tasks are running on every worker: some of the victim's are mid-sleep.
      assertThat(Os.within(20_000, () -> pool.stats().completed() >= 6)).isTrue();
      assertThat(pool.stats().inFlight()).isPositive();
      Os.kill("KILL", victim);

      List<TaskOutcome> outcomes = new ArrayList<>();
      for (int i = 0; i < handles.size(); i++) {
        TaskOutcome o = handles.get(i).outcome().get(60, TimeUnit.SECONDS);
        // Each result is its own task's: the payload of sleep comes back as it went.
        assertThat(o.result().getPayload()).isEqualTo(BuiltInTasks.sleepPayload(50 + 2L * i));
        assertThat(o.taskId()).isEqualTo(handles.get(i).id());
        outcomes.add(o);
      }
      assertThat(outcomesPerTask.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
      assertThat(outcomes).anySatisfy(o -> assertThat(o.attempts()).isGreaterThan(1));
      assertThat(outcomes.stream().filter(o -> o.attempts() > 1)).allSatisfy(o ->
          assertThat(o.workerPid()).isNotEqualTo(victim));
      assertThat(heard.downs).anySatisfy(d -> {
        assertThat(d.pid()).isEqualTo(victim);
        assertThat(d.cause()).contains("SIGKILL");
      });
      PoolStats stats = pool.stats();
      assertThat(stats.submitted()).isEqualTo(60);
      assertThat(stats.completed()).isEqualTo(60);
      assertThat(stats.failed()).isZero();
      assertThat(stats.retried()).isEqualTo(heard.retriedTasks.size()).isPositive();
      assertThat(stats.restarts()).isGreaterThanOrEqualTo(1);
      assertThat(stats.queued() + stats.inFlight()).isZero();
      // The slot has a new process, and it serves.
      assertThat(Os.within(30_000, () -> pool.worker(2).pid() != victim
          && pool.worker(2).state() == WorkerState.READY)).isTrue();
      assertThat(pool.restarts(2)).isEqualTo(1);
      // The listener hears of it just after the state turns READY.
      assertThat(Os.within(5_000, () -> !heard.restarts.isEmpty())).isTrue();
      assertThat(heard.restarts).anySatisfy(r -> assertThat(r.oldPid()).isEqualTo(victim));
      assertThat(pool.worker(2).ping(ByteString.EMPTY).get(10, TimeUnit.SECONDS)).isNotNull();
      // The parent record, which inspect and the next parent's sweep read, lists the new pid, not the dead one.
      List<Long> recorded = new ArrayList<>();
      dev.ipclab.cli.RecordedParents.json(ParentRecord.of(ProcessHandle.current().pid()).orElseThrow()).get("pools").get(0).get("workers")
          .forEach(w -> recorded.add(w.get("pid").asLong()));
      assertThat(recorded).contains(pool.worker(2).pid()).doesNotContain(victim);
    }
  }

  /**
   * With {@code spares(1)} a SIGKILLed worker's slot takes the spare that was READY before the kill: the slot's new
   * pid is the spare's, no JVM start stands between the crash and the replacement (the restart backoff is 60 s, so
   * a respawned process could not be it), the spare was never routed to, and a new spare is spawned behind it.
   */
  @ParameterizedTest
  @EnumSource(value = TransportKind.class, names = {"PIPE", "UDS"})
  void aKilledWorkersSlotTakesTheReadySpareAtOnce(TransportKind transport) throws Exception {
    Heard heard = new Heard();
    try (WorkerPool pool = Pools.builder(transport, 2).spares(1).listener(heard)
        .restartBackoff(Duration.ofSeconds(60), Duration.ofSeconds(60)).start()) {
      assertThat(Os.within(60_000, () -> pool.spares().size() == 1
          && pool.spares().get(0).state() == WorkerState.READY)).as("a spare got ready").isTrue();
      PoolWorker spare = pool.spares().get(0);
      long sparePid = spare.pid();
      assertThat(spare.id()).isEqualTo(3); // numbered after the slots
      // Spares are not routed to: every task runs on the two slots' workers.
      Set<Long> ranOn = new TreeSet<>();
      for (int i = 0; i < 20; i++) {
        ranOn.add(pool.submit(TaskSpec.of("echo", ByteString.copyFromUtf8("t" + i))).outcome()
            .get(30, TimeUnit.SECONDS).workerPid());
      }
      assertThat(ranOn).doesNotContain(sparePid).isSubsetOf(pool.worker(1).pid(), pool.worker(2).pid());
      long victim = pool.worker(1).pid();
      assertThat(spare.state()).isEqualTo(WorkerState.READY);
      Os.kill("KILL", victim);

      assertThat(Os.within(30_000, () -> pool.worker(1).pid() == sparePid)).as("the spare took slot 1").isTrue();
      assertThat(pool.worker(1).state()).isEqualTo(WorkerState.READY);
      assertThat(pool.worker(1).id()).isEqualTo(1);
      assertThat(pool.worker(1).name()).isEqualTo("worker-1");
      assertThat(Os.within(5_000, () -> !heard.restarts.isEmpty())).isTrue();
      assertThat(heard.restarts).singleElement().satisfies(r -> {
        assertThat(r.workerId()).isEqualTo(1);
        assertThat(r.oldPid()).isEqualTo(victim);
        assertThat(r.newPid()).isEqualTo(sparePid);
      });
      assertThat(heard.downs).singleElement().satisfies(d -> assertThat(d.cause()).contains("SIGKILL"));
      assertThat(pool.restarts(1)).isEqualTo(1);
      // The slot serves through the adopted spare.
      assertThat(pool.submit(TaskSpec.of("echo", ByteString.copyFromUtf8("after"))).outcome()
          .get(30, TimeUnit.SECONDS).result().getPayload().toStringUtf8()).isEqualTo("after");
      assertThat(pool.worker(1).ping(ByteString.EMPTY).get(10, TimeUnit.SECONDS)).isNotNull();
      // A new spare is spawned behind it, and gets ready.
      assertThat(Os.within(60_000, () -> pool.spares().size() == 1 && pool.spares().get(0).pid() != sparePid
          && pool.spares().get(0).state() == WorkerState.READY)).as("a new spare got ready").isTrue();
      assertThat(pool.spares().get(0).id()).isEqualTo(4);
    }
  }

  @Test
  void notRetryableTaskFailsAtOnceWithTheDecodedExit() throws Exception {
    try (WorkerPool pool = Pools.builder(TransportKind.UDS, 1).start()) {
      long pid = pool.worker(1).pid();
      long submitted = System.nanoTime();
      TaskHandle h = pool.submit(TaskSpec.of("sleep", BuiltInTasks.sleepPayload(60_000)).notRetryable());
      assertThat(Os.within(10_000, () -> Pools.tasksInFlight(pool) == 1)).isTrue();
      Os.kill("KILL", pid);

      assertThatThrownBy(() -> h.outcome().get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(TaskFailedException.class)
          .hasMessageContaining("not retryable")
          .hasMessageContaining("exit 137 = 128 + 9 (SIGKILL)")
          .hasMessageContaining("worker-1 pid " + pid)
          .satisfies(e -> assertThat(((TaskFailedException) e).attempts()).isEqualTo(1));
      // Failed, not completed: a sleep that ran to its end would have succeeded. And before its 60 s were up.
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - submitted)).as("failed at once, not after 60 s")
          .isLessThan(60_000);
      assertThat(pool.stats().retried()).isZero();
      assertThat(pool.stats().failed()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(value = TransportKind.class, names = {"PIPE", "UDS"})
  void stoppedWorkerIsKilledAndReplacedWithinTwiceTheHeartbeatTimeout(TransportKind transport) throws Exception {
    Heard heard = new Heard();
    // Pools.builder: heartbeat every 200 ms, hung after 1 000 ms of silence.
    long bound = 2 * 1_000;
    try (WorkerPool pool = Pools.builder(transport, 2).listener(heard).start()) {
      long stoppedPid = pool.worker(1).pid();
      // One task on each worker, so that one of them is on the stopped worker when it is killed.
      TaskHandle a = pool.submit(TaskSpec.of("sleep", BuiltInTasks.sleepPayload(3_000)));
      TaskHandle b = pool.submit(TaskSpec.of("sleep", BuiltInTasks.sleepPayload(3_000)));
      long stopped = System.nanoTime();
      Os.kill("STOP", stoppedPid);
      try {
        assertThat(Os.within(bound, () -> pool.worker(1).pid() != stoppedPid))
            .as("a replacement spawned within %d ms of SIGSTOP", bound).isTrue();
        long spawnedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        assertThat(Os.within(5_000, () -> Os.hasExited(stoppedPid))).as("the stopped process was killed").isTrue();
        Heard.Down down = heard.downs.getFirst();
        assertThat(down.pid()).isEqualTo(stoppedPid);
        assertThat(down.cause()).contains("hung");
        long detectedMs = TimeUnit.NANOSECONDS.toMillis(down.nanos() - stopped);
        assertThat(detectedMs).as("detection after SIGSTOP").isLessThan(bound);

        assertThat(a.outcome().get(60, TimeUnit.SECONDS).workerPid()).isNotEqualTo(stoppedPid);
        assertThat(b.outcome().get(60, TimeUnit.SECONDS).workerPid()).isNotEqualTo(stoppedPid);
        assertThat(a.outcome().get().attempts() + b.outcome().get().attempts()).isEqualTo(3);
        assertThat(Os.within(30_000, () -> !heard.restarts.isEmpty())).isTrue();
        long readyMs = TimeUnit.NANOSECONDS.toMillis(heard.restarts.getFirst().nanos() - stopped);
        System.err.printf("SupervisionIT %s: SIGSTOP -> declared hung %d ms, replacement spawned <= %d ms,"
            + " replacement ready %d ms (heartbeat timeout 1000 ms)%n", transport, detectedMs, spawnedMs, readyMs);
        assertThat(heard.downs).hasSize(1); // hung, then killed: reported once
        assertThat(pool.stats().restarts()).isEqualTo(1);
      } finally {
        if (!Os.hasExited(stoppedPid)) {
          Os.kill("CONT", stoppedPid);
        }
      }
    }
  }

  @Test
  void restartIntensityTripsAndThePoolFailsLoudly() throws Exception {
    Heard heard = new Heard();
    try (WorkerPool pool = Pools.builder(TransportKind.UDS, 1)
        .fault(1, "exit-on-task:0") // every process of slot 1 dies on its first task
        .restartIntensity(3, Duration.ofSeconds(30))
        .restartBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
        .maxAttempts(100)
        .listener(heard)
        .start()) {
      TaskHandle h = pool.submit(TaskSpec.of("echo", ByteString.copyFromUtf8("doomed")));

      PoolFailedException failure = pool.failure().get(60, TimeUnit.SECONDS);
      assertThat(failure).hasMessageContaining("4 worker restarts within 30000 ms exceed its restart intensity of 3")
          .hasMessageContaining("exit 42");
      assertThatThrownBy(() -> h.outcome().get(5, TimeUnit.SECONDS)).cause().isSameAs(failure);
      assertThatThrownBy(() -> pool.submit(TaskSpec.of("echo", ByteString.EMPTY))).isSameAs(failure);
      assertThat(pool.stats().restarts()).isEqualTo(3);
      assertThat(heard.downs).hasSize(4);
      // No looping: nothing is respawned after giving up.
      Thread.sleep(1_000);
      assertThat(pool.stats().restarts()).isEqualTo(3);
      assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count()).isZero();
    }
  }

  @Test
  void workersAreRecycledAfterMaxTasksPerChild() throws Exception {
    try (WorkerPool pool = Pools.builder(TransportKind.UDS, 1).maxTasksPerChild(5).start()) {
      List<TaskHandle> handles = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        handles.add(pool.submit(TaskSpec.of("echo", ByteString.copyFromUtf8("t" + i))));
      }
      Map<Long, Long> tasksPerPid = new java.util.TreeMap<>();
      for (int i = 0; i < 20; i++) {
        TaskOutcome o = handles.get(i).outcome().get(90, TimeUnit.SECONDS);
        assertThat(o.result().getPayload().toStringUtf8()).isEqualTo("t" + i);
        tasksPerPid.merge(o.workerPid(), 1L, Long::sum);
      }
      assertThat(tasksPerPid).hasSize(4).allSatisfy((pid, n) -> assertThat(n).isEqualTo(5));
      assertThat(pool.recycled()).isGreaterThanOrEqualTo(3);
      assertThat(pool.stats().restarts()).isZero();
      assertThat(pool.restarts(1)).isZero();
    }
  }

  @Test
  void closeLetsGoOfThePoolWhileItWaitsForAWorkerToExit() throws Exception {
    // A long hung timeout and grace: the stopped worker holds close() up until the test lets it go.
    WorkerPool pool = Pools.builder(TransportKind.UDS, 1).heartbeat(Duration.ofMillis(200), Duration.ofSeconds(120))
        .shutdownGrace(Duration.ofSeconds(60)).start();
    PoolWorker stopped = pool.worker(1);
    Os.kill("STOP", stopped.pid());
    Thread closer = Thread.ofPlatform().name("test-closer").start(pool::close);
    try {
      assertThat(Os.within(10_000, () -> stopped.state() == WorkerState.STOPPING)).as("close() is waiting").isTrue();
      // The pool's monitor is what a respawn due on the supervisor's timer thread takes (spawn); it must be free
      // while close() waits out the workers' grace, or that thread, and all it times, stalls with it.
      CompletableFuture<Boolean> taken = new CompletableFuture<>();
      Thread.ofPlatform().name("test-monitor").start(() -> {
        synchronized (pool) {
          taken.complete(closer.isAlive());
        }
      });
      assertThat(taken.get(20, TimeUnit.SECONDS)).as("taken while close() was still waiting").isTrue();
    } finally {
      Os.kill("CONT", stopped.pid()); // it reads its Shutdown and exits: close() returns
      closer.join(TimeUnit.SECONDS.toMillis(30));
    }
    assertThat(closer.isAlive()).isFalse();
    assertThat(stopped.exit().get(10, TimeUnit.SECONDS).isCrash()).as("a graceful exit").isFalse();
  }

  @Test
  void aWorkerOutOfHeapExitsSayingOutOfMemoryAndItsTaskRunsAgainElsewhere() throws Exception {
    Heard heard = new Heard();
    try (WorkerPool pool = Pools.builder(TransportKind.UDS, 2).jvmArgs(List.of("-Xmx48m")).maxAttempts(2)
        .listener(heard).start()) {
      TaskHandle h = pool.submit(TaskSpec.of("allocate", BuiltInTasks.allocatePayload(256)));

      assertThat(Pools.failureOf(h)).isInstanceOf(TaskFailedException.class)
          .hasMessageContaining("its worker died on attempt 2 of 2")
          .hasMessageContaining("exit 3: out of memory: the worker's Java heap ran out")
          .hasMessageContaining("java.lang.OutOfMemoryError: Java heap space")
          .satisfies(e -> assertThat(((TaskFailedException) e).attempts()).isEqualTo(2));
      assertThat(heard.retriedTasks).as("run again after the first worker died").containsExactly(h.id());
      assertThat(Os.within(10_000, () -> heard.downs.size() == 2)).isTrue();
      assertThat(heard.downs).as("two workers, each down out of memory")
          .allSatisfy(d -> assertThat(d.cause()).contains("out of memory"))
          .extracting(Heard.Down::pid).doesNotHaveDuplicates();
    }
  }

  @Test
  void aWorkerOverItsMemoryLimitIsRecycledGracefullyAfterItsTask() throws Exception {
    long limit = 128L << 20; // well above an idle worker's RSS, well below what the task keeps
    try (WorkerPool pool = Pools.builder(TransportKind.UDS, 1).jvmArgs(List.of("-Xmx512m"))
        .maxMemoryBeforeRecycle(limit).start()) {
      PoolWorker first = pool.worker(1);
      assertThat(pool.submit(TaskSpec.of("echo", ByteString.copyFromUtf8("small"))).outcome()
          .get(30, TimeUnit.SECONDS).workerPid()).isEqualTo(first.pid());
      assertThat(pool.recycled()).as("not recycled under the limit").isZero();

      TaskOutcome big = pool.submit(TaskSpec.of("allocate", BuiltInTasks.allocatePayload(192))).outcome()
          .get(60, TimeUnit.SECONDS);
      assertThat(big.workerPid()).isEqualTo(first.pid());

      assertThat(Os.within(30_000, () -> pool.worker(1) != first && pool.worker(1).state() == WorkerState.READY))
          .as("a fresh process in slot 1").isTrue();
      ExitDescription exit = first.exit().get(30, TimeUnit.SECONDS);
      assertThat(exit.isCrash()).as("recycled gracefully: %s", exit.summary()).isFalse();
      assertThat(first.state()).isEqualTo(WorkerState.EXITED);
      assertThat(pool.recycled()).isEqualTo(1);
      assertThat(pool.restarts(1)).isZero();
      TaskOutcome next = pool.submit(TaskSpec.of("echo", ByteString.copyFromUtf8("next"))).outcome()
          .get(30, TimeUnit.SECONDS);
      assertThat(next.workerPid()).isEqualTo(pool.worker(1).pid()).isNotEqualTo(first.pid());
    }
  }
}
