package dev.ipclab.demos.evidence;

import java.util.List;
import java.util.Map;

/**
 * What the parallelism demo measured: the same CPU-bound units run four ways, each unit with when and on which
 * CPUs it ran, and the speed-up of each way over the sequential one.
 *
 * <p>With one CPU allowed the demo stops before it measures: then only {@code cpusAllowed} is there, the other
 * components are null or empty.
 *
 * @param cpusAllowed the CPUs this process may run on
 * @param iterationsPerUnit the loop iterations of one unit, calibrated to its target time; null with one CPU
 * @param otherProcessesCpuShare the share of the CPUs' time other processes took while the units ran; null with
 *     one CPU
 * @param speedup each way's speed-up over the sequential run, by mode
 * @param units every unit of every mode, in mode order
 */
public record ParallelismEvidence(List<Integer> cpusAllowed, Long iterationsPerUnit, Double otherProcessesCpuShare,
    Map<String, Double> speedup, List<Unit> units) implements DemoEvidence {

  /**
   * One unit of work in one mode; times are ms from the mode's first start.
   *
   * @param mode the way the units ran, e.g. {@code "4 processes on CPU 0"}
   * @param unit the unit's number within its mode, from 0
   * @param pid the process that ran it
   * @param tid the thread that ran it
   * @param cpus the CPUs it was seen on
   * @param startMs when it started
   * @param endMs when it ended
   * @param segments when it was seen on which CPU; empty if the worker sampled none
   */
  public record Unit(String mode, int unit, long pid, long tid, List<Integer> cpus, double startMs, double endMs,
      List<Segment> segments) {}

  /**
   * A stretch in which a unit was seen running on one CPU, in ms from its mode's first start.
   *
   * @param cpu the CPU
   * @param startMs the first sample on it
   * @param endMs the last sample on it
   */
  public record Segment(int cpu, double startMs, double endMs) {}
}
