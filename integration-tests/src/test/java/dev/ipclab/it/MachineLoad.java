package dev.ipclab.it;

import dev.ipclab.demos.os.CpuAffinity;
import dev.ipclab.demos.os.CpuTimes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The CPU time that processes other than this test JVM and its descendants took while a test ran, as a share of
 * the CPUs this JVM may use: what a test with a wall-clock promise measures to tell "the promise was broken" from
 * "the machine was busy". Our own share is this JVM's time plus that of every descendant it has reaped (the
 * kernel adds a reaped child's time, and its reaped children's, to {@code cutime} and {@code cstime}); so a test
 * reads {@link #share()} after its processes have been waited for.
 */
final class MachineLoad {
  /** The share of the CPUs' time others may take before a wall-clock bound is excused (as the demos use). */
  static final double BUSY_SHARE = dev.ipclab.demos.ParallelismDemo.BUSY_SHARE;

  private final List<Integer> cpus;
  private final long startNanos = System.nanoTime();
  private final long machineStart;
  private final long oursStart;
  private final java.util.Map<Long, long[]> orphans = new java.util.concurrent.ConcurrentHashMap<>();

  private MachineLoad() throws IOException {
    this.cpus = CpuAffinity.allowed(ProcessHandle.current().pid());
    this.machineStart = CpuTimes.machineBusyTicks(cpus);
    this.oursStart = ourTicks();
  }

  /** Starts measuring now. */
  static MachineLoad start() throws IOException {
    return new MachineLoad();
  }

  /**
   * Counts {@code pid} as ours although no one of ours will reap it (a worker whose parent was SIGKILLed): its
   * time from now on, as far as {@link #sawOrphan} last saw it before it went.
   */
  void orphan(long pid) {
    long now = CpuTimes.processTicks(pid);
    orphans.put(pid, new long[] {now, now});
  }

  /** Reads an orphan's time again (call while waiting for it to exit); a gone process reads 0 and is ignored. */
  void sawOrphan(long pid) {
    long now = CpuTimes.processTicks(pid);
    orphans.computeIfPresent(pid, (k, t) -> new long[] {t[0], Math.max(t[1], now)});
  }

  /** Others' busy time since the start over the allowed CPUs' capacity in that time, from 0 (idle) to about 1. */
  double share() throws IOException {
    long orphanTicks = orphans.values().stream().mapToLong(t -> t[1] - t[0]).sum();
    long other = (CpuTimes.machineBusyTicks(cpus) - machineStart) - (ourTicks() - oursStart) - orphanTicks;
    double capacity = (System.nanoTime() - startNanos) / 1e9 * CpuTimes.TICKS_PER_SECOND * cpus.size();
    return capacity <= 0 ? 0 : Math.max(0, other) / capacity;
  }

  /** The measurement as text for an assumption's or assertion's message. */
  String describe() throws IOException {
    return String.format(Locale.ROOT, "other processes took %.0f%% of %d CPU(s) over %d ms (busy above %.0f%%)",
        100 * share(), cpus.size(), (System.nanoTime() - startNanos) / 1_000_000, 100 * BUSY_SHARE);
  }

  /** Whether others took more than {@link #BUSY_SHARE} of the CPUs since the start. */
  boolean busy() throws IOException {
    return share() > BUSY_SHARE;
  }

  /** utime + stime + cutime + cstime of this JVM, in ticks. */
  private static long ourTicks() throws IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    // Fields 14 to 17 of the line: utime, stime, cutime, cstime; f[0] is field 3 (the state).
    return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
  }
}
