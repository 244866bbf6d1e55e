package dev.ipclab.demos.os;

import java.io.IOException;
import java.util.List;

/**
 * The CPU time that processes other than ours take while something is measured, as a share of the allowed CPUs'
 * time: what a demo needs to tell "the claim failed" from "the machine was busy".
 */
public final class OtherLoad {
  private final List<Long> ours;
  private final List<Integer> cpus;
  private final long startNanos = System.nanoTime();
  private final long machineStart;
  private final long oursStart;

  /** Starts measuring; {@code ours} are the processes whose CPU time does not count as other load. */
  public OtherLoad(List<Long> ours, List<Integer> cpus) throws IOException {
    this.ours = List.copyOf(ours);
    this.cpus = List.copyOf(cpus);
    this.machineStart = CpuTimes.machineBusyTicks(cpus);
    this.oursStart = CpuTimes.processTicks(ours);
  }

  /** Others' busy time since the start over the CPUs' capacity in that time, from 0 (idle) to about 1. */
  public double share() throws IOException {
    long other = (CpuTimes.machineBusyTicks(cpus) - machineStart) - (CpuTimes.processTicks(ours) - oursStart);
    double capacity = (System.nanoTime() - startNanos) / 1e9 * CpuTimes.TICKS_PER_SECOND * cpus.size();
    return capacity <= 0 ? 0 : Math.max(0, other) / capacity;
  }
}
