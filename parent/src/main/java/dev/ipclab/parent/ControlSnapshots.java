package dev.ipclab.parent;

import dev.ipclab.proto.v1.ControlSnapshot;
import dev.ipclab.proto.v1.PoolSnapshot;
import dev.ipclab.proto.v1.WorkerSnapshot;
import dev.ipclab.proto.v1.WorkerStatus;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Builds a ControlSnapshot of this parent: its pools and workers, each with the status it just reported. */
final class ControlSnapshots {
  private ControlSnapshots() {}

  /**
   * Reads every worker's parent-side counters, then asks every ready worker for its status at once and waits up
   * to {@code timeout} for all of them. The counters are read first so that the status requests themselves do
   * not show as requests in flight.
   */
  static ControlSnapshot take(List<WorkerPool> pools, Duration timeout) throws InterruptedException {
    List<WorkerSnapshot.Builder> rows = new ArrayList<>();
    List<PoolSnapshot.Builder> poolRows = new ArrayList<>();
    List<List<PoolWorker>> members = new ArrayList<>();
    for (WorkerPool pool : pools) {
      final WorkerPool owner = pool;
      poolRows.add(PoolSnapshot.newBuilder()
          .setTransport(pool.transport().name().toLowerCase(Locale.ROOT))
          .setEndpoint(pool.endpoint()));
      List<PoolWorker> workers = pool.workers();
      members.add(workers);
      workers.forEach(w -> rows.add(counters(w).setRestarts(owner.restarts(w.id()))));
    }
    List<CompletableFuture<WorkerStatus>> asked = new ArrayList<>();
    members.forEach(ws -> ws.forEach(w ->
        asked.add(w.state() == WorkerState.READY ? w.status(timeout) : null)));
    long deadline = System.nanoTime() + timeout.toNanos();
    ControlSnapshot.Builder snapshot = ControlSnapshot.newBuilder()
        .setParentPid(ProcessHandle.current().pid())
        .setParentUptimeMs(ManagementFactory.getRuntimeMXBean().getUptime());
    int i = 0;
    for (int p = 0; p < poolRows.size(); p++) {
      for (PoolWorker w : members.get(p)) {
        WorkerSnapshot.Builder row = rows.get(i);
        awaitStatus(row, w, asked.get(i++), deadline, timeout);
        poolRows.get(p).addWorkers(row);
      }
      snapshot.addPools(poolRows.get(p));
    }
    return snapshot.build();
  }

  private static WorkerSnapshot.Builder counters(PoolWorker w) {
    WorkerSnapshot.Builder b = WorkerSnapshot.newBuilder()
        .setWorkerId(w.id())
        .setPid(w.pid())
        .setState(w.state().name());
    WorkerTraffic c = w.traffic(); // before the handshake: all 0
    return b.setParentMessagesIn(c.messagesIn())
        .setParentMessagesOut(c.messagesOut())
        .setParentBytesIn(c.bytesIn())
        .setParentBytesOut(c.bytesOut())
        .setInFlight(c.inFlight());
  }

  private static void awaitStatus(WorkerSnapshot.Builder b, PoolWorker w, CompletableFuture<WorkerStatus> status,
      long deadline, Duration timeout) throws InterruptedException {
    if (status == null) {
      b.setStatusError("not asked: the worker is " + w.state());
      return;
    }
    try {
      b.setStatus(status.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      b.setStatusError("no answer within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      b.setStatusError(e.getCause() instanceof TimeoutException
          ? "no answer within " + timeout.toMillis() + " ms" : String.valueOf(e.getCause().getMessage()));
    }
  }
}
