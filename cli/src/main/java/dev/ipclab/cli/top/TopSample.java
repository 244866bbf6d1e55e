package dev.ipclab.cli.top;

import dev.ipclab.parent.control.ControlClient;
import dev.ipclab.demos.os.CpuTimes;
import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.proto.v1.ControlSnapshot;
import dev.ipclab.proto.v1.PoolSnapshot;
import dev.ipclab.proto.v1.WorkerSnapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One look at a running parent: its control snapshot (the workers' own counters) joined with /proc (CPU ticks,
 * RSS, threads) for the parent and every worker, at one moment. Rates come from two of these.
 *
 * @param nanos System.nanoTime() when the snapshot came back
 * @param snapshot what the parent and its workers reported
 * @param cpuTicks user plus system ticks per pid, read right after the snapshot
 * @param status /proc/pid/status per pid; absent for a process that is gone
 */
public record TopSample(long nanos, ControlSnapshot snapshot, Map<Long, Long> cpuTicks,
    Map<Long, Optional<ProcStatus>> status) {

  /** Asks the parent for a snapshot and reads /proc for it and each of its workers. */
  public static TopSample take(ControlClient client, Duration workerTimeout) throws IOException {
    ControlSnapshot snapshot = client.snapshot(workerTimeout);
    long now = System.nanoTime();
    Map<Long, Long> ticks = new LinkedHashMap<>();
    Map<Long, Optional<ProcStatus>> status = new LinkedHashMap<>();
    read(snapshot.getParentPid(), ticks, status);
    for (PoolSnapshot pool : snapshot.getPoolsList()) {
      for (WorkerSnapshot w : pool.getWorkersList()) {
        read(w.getPid(), ticks, status);
      }
    }
    return new TopSample(now, snapshot, ticks, status);
  }

  private static void read(long pid, Map<Long, Long> ticks, Map<Long, Optional<ProcStatus>> status) {
    ticks.put(pid, CpuTimes.processTicks(pid));
    status.put(pid, ProcStatus.read(pid));
  }
}
