package dev.ipclab.parent.bench;

import dev.ipclab.parent.bench.BenchReport.CpuPerMsg;
import dev.ipclab.parent.os.CpuTimes;

/**
 * CPU time of the parent (this JVM) and one worker over a stretch of messages, from the kernel's accounting
 * ({@code /proc/<pid>/stat}, 10 ms ticks): coarse, so the stretch must last a good many ticks.
 */
final class CpuMeter {
  private static final double MICROS_PER_TICK = 1e6 / CpuTimes.TICKS_PER_SECOND;

  private final long workerPid;
  private volatile long parentStart;
  private volatile long workerStart;

  CpuMeter(long workerPid) {
    this.workerPid = workerPid;
  }

  /** Takes the starting snapshot; may run on any thread. */
  void start() {
    parentStart = CpuTimes.processTicks(ProcessHandle.current().pid());
    workerStart = CpuTimes.processTicks(workerPid);
  }

  /** CPU µs per message since {@link #start()}, for {@code messages} messages. */
  CpuPerMsg perMessage(long messages) {
    long parent = CpuTimes.processTicks(ProcessHandle.current().pid()) - parentStart;
    long worker = CpuTimes.processTicks(workerPid) - workerStart;
    long n = Math.max(1, messages);
    return new CpuPerMsg(round2(parent * MICROS_PER_TICK / n), round2(worker * MICROS_PER_TICK / n));
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
