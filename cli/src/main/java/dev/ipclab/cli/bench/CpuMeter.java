package dev.ipclab.cli.bench;

import dev.ipclab.cli.bench.BenchReport.CpuPerMsg;
import dev.ipclab.demos.os.CpuTimes;

/**
 * CPU time of the parent (this JVM) and one worker over a stretch of messages, from the kernel's accounting
 * ({@code /proc/<pid>/stat}, 10 ms ticks): coarse, so the stretch must last a good many ticks.
 */
final class CpuMeter {
  private static final double MICROS_PER_TICK = 1e6 / CpuTimes.TICKS_PER_SECOND;

  private final long workerPid;
  private volatile long parentStart;
  private volatile long workerStart;
  private volatile long parentTicks;
  private volatile long workerTicks;

  CpuMeter(long workerPid) {
    this.workerPid = workerPid;
  }

  /** Starts (or resumes) counting; may run on any thread, one at a time. */
  void start() {
    parentStart = CpuTimes.processTicks(ProcessHandle.current().pid());
    workerStart = CpuTimes.processTicks(workerPid);
  }

  /** Stops counting until the next {@link #start()}, keeping what was counted. */
  void stop() {
    parentTicks += CpuTimes.processTicks(ProcessHandle.current().pid()) - parentStart;
    workerTicks += CpuTimes.processTicks(workerPid) - workerStart;
  }

  /** CPU µs per message over the stretches counted so far, for {@code messages} messages in them. */
  CpuPerMsg perMessage(long messages) {
    long n = Math.max(1, messages);
    return new CpuPerMsg(round2(parentTicks * MICROS_PER_TICK / n), round2(workerTicks * MICROS_PER_TICK / n));
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
