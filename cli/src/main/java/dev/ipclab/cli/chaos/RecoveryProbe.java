package dev.ipclab.cli.chaos;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.TaskSpec;
import dev.ipclab.parent.WorkerState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Whether the pool came back after the last fault: every worker slot READY again, and each of those workers
 * answering an echo of its own. Judged once the faults have stopped, with patience for a starved machine, so it
 * holds or fails on what the pool did, not on how fast the machine was (a share of tasks completed within their
 * deadlines would be the latter: on two cores at load 30 a restarted JVM took 33 s to say hello).
 *
 * @param slots the pool's worker slots
 * @param ready the slots READY within the patience
 * @param answered the READY workers whose echo came back intact
 * @param waitedMillis how long the slots took to be READY (the patience, if some never were)
 */
record RecoveryProbe(int slots, int ready, int answered, long waitedMillis) {
  private static final Duration ECHO_DEADLINE = Duration.ofSeconds(30);

  /** Every slot READY and every one answered. */
  boolean recovered() {
    return ready == slots && answered == slots;
  }

  /**
   * Waits up to {@code patience} for every slot to be READY, then sends each READY worker an echo pinned to it (so
   * each worker is asked, not just any) and waits for the answers.
   */
  static RecoveryProbe run(WorkerPool pool, int slots, Duration patience) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + patience.toNanos();
    List<PoolWorker> ready = readyWorkers(pool);
    while (ready.size() < slots && System.nanoTime() < deadline && !pool.failure().isDone()) {
      Thread.sleep(100);
      ready = readyWorkers(pool);
    }
    long waited = (System.nanoTime() - start) / 1_000_000;
    List<CompletableFuture<Boolean>> echoes = new ArrayList<>();
    for (PoolWorker w : ready) {
      ByteString payload = ByteString.copyFromUtf8("chaos: recovery probe of " + w.name() + " pid " + w.pid());
      try {
        echoes.add(w.submit(TaskSpec.of("echo", payload).withDeadline(ECHO_DEADLINE)).outcome()
            .thenApply(r -> r.result().getPayload().equals(payload))
            .exceptionally(e -> false));
      } catch (RuntimeException e) {
        echoes.add(CompletableFuture.completedFuture(false)); // it went down between the look and the send
      }
    }
    int answered = 0;
    for (CompletableFuture<Boolean> echo : echoes) {
      try {
        if (echo.get(ECHO_DEADLINE.toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
          answered++;
        }
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        // not answered: counted as such
      }
    }
    return new RecoveryProbe(slots, ready.size(), answered, waited);
  }

  private static List<PoolWorker> readyWorkers(WorkerPool pool) {
    return pool.workers().stream().filter(w -> w.state() == WorkerState.READY).toList();
  }
}
