package dev.ipclab.cli.bench;

import dev.ipclab.cli.bench.Anchors.ProcMemory;
import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.transport.TransportKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Memory per worker, honestly: Rss counts every shared page (the JDK's {@code libjvm.so}, a shared AOT cache) in
 * full in each process, Pss divides it among the processes that map it. Read for a pool of workers and for as many
 * bare JVMs alive at once, from {@code /proc/<pid>/smaps_rollup}.
 */
final class PoolMemory {
  static final int WORKERS = 4;

  private PoolMemory() {}

  static Anchors.PoolMemory measure(TransportKind transport, Duration settle) throws Exception {
    List<ProcMemory> workers = new ArrayList<>();
    try (WorkerPool pool = WorkerPool.builder().workers(WORKERS).transport(transport).start()) {
      Thread.sleep(settle.toMillis());
      for (PoolWorker w : pool.workers()) {
        workers.add(read(w.pid()));
      }
    }
    List<ProcMemory> bare = BareJvmAnchor.idleMemory(WORKERS, settle);
    return new Anchors.PoolMemory(transport.cliName(), workers, bare, median(workers, true), median(workers, false),
        median(bare, true), median(bare, false));
  }

  /**
   * {@code VmRSS} (from {@code status}, as the bench reads a worker's idle RSS) and {@code Pss} (from
   * {@code smaps_rollup}) of {@code pid} in MiB; zeros if the process is gone or the kernel lacks the file.
   */
  static ProcMemory read(long pid) {
    double rssMb = ProcStatus.read(pid).map(ProcStatus::rssMib).orElse(0.0);
    long pssKib = 0;
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
        if (line.startsWith("Pss:")) {
          pssKib = Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      pssKib = 0;
    }
    return new ProcMemory(pid, round1(rssMb), round1(pssKib / 1024.0));
  }

  private static double median(List<ProcMemory> memory, boolean rss) {
    List<Double> values = memory.stream().map(m -> rss ? m.rssMb() : m.pssMb()).toList();
    return values.isEmpty() ? 0 : BenchRunner.nearestRank(values, 50);
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
