package dev.ipclab.demos.evidence;

import java.util.List;

/**
 * What the coroutines demo measured: virtual threads taking turns on one carrier thread, a generator made of two
 * of them, and a crowd of sleeping virtual threads against one of platform threads.
 *
 * @param warmSwitchUs one switch between virtual threads without the trace, warmed up (fastest of 5 runs)
 * @param carrierSleeps the carrier's voluntary context switches over those 5 runs, -1 if not counted
 * @param timedSwitches the switches of those 5 runs
 * @param tracedStepGapUs the median time between two traced steps
 * @param sequence the steps in the order they ran, e.g. {@code "A1 B1 C1 D1 A2 …"}
 * @param steps every traced step, in that order
 * @param carrierTids the distinct carrier threads the steps ran on
 * @param carrierComm the kernel's name of the first carrier, or {@code "(not in /proc)"}
 * @param taskThreadTid the worker's task thread that started the virtual threads
 * @param repeatsWhileOthersRunnable steps one virtual thread ran twice in a row while another was runnable
 * @param generator the generator's producer and consumer
 * @param virtual the crowd of sleeping virtual threads
 * @param platform the crowd of sleeping platform threads
 * @param rssPerThreadRatio RSS per platform thread ÷ RSS per virtual thread
 * @param startPerThreadRatio the median Thread.start() of a platform thread ÷ that of a virtual thread
 */
public record CoroutinesEvidence(double warmSwitchUs, long carrierSleeps, long timedSwitches,
    double tracedStepGapUs, String sequence, List<Step> steps, List<Long> carrierTids, String carrierComm,
    long taskThreadTid, int repeatsWhileOthersRunnable, Generator generator, Crowd virtual, Crowd platform,
    double rssPerThreadRatio, double startPerThreadRatio) implements DemoEvidence {

  /**
   * One step of one virtual thread, as traced.
   *
   * @param name the virtual thread, e.g. {@code A}
   * @param step its step, from 1
   * @param carrierTid the carrier thread it ran on
   * @param atUs µs since the first step
   */
  public record Step(String name, int step, long carrierTid, double atUs) {}

  /**
   * A lazy generator: a producer virtual thread computes a value only when the consumer asks for one.
   *
   * @param received the values the consumer received, in order
   * @param produced the values the producer computed
   * @param outOfOrder events out of the ask → make → receive order
   */
  public record Generator(List<Long> received, int produced, int outOfOrder) {}

  /**
   * One crowd of sleeping threads in the worker, as the worker and the parent (from /proc) measured it.
   *
   * @param started the threads started
   * @param asleep the threads asleep at once
   * @param interruptedAsleep the threads still asleep when the join interrupted them (all, unless a sleep ran out)
   * @param kernelThreads the worker's kernel threads while the crowd slept, from /proc/&lt;pid&gt;/status
   * @param rssKibPerThread the growth of VmRSS per thread, KiB
   * @param heapBytesPerThread the heap held per thread after a full GC, or null when not measurable (0 or less)
   * @param startMedianUs the median Thread.start()
   * @param startAllMs from the first Thread.start() to every started thread asleep
   * @param joinAllMs from the first interrupt to the last join
   * @param stoppedBy why starting stopped before the count (an OutOfMemoryError's message, "time cap"), or empty
   *     when all started
   */
  public record Crowd(int started, int asleep, int interruptedAsleep, int kernelThreads, double rssKibPerThread,
      Double heapBytesPerThread, double startMedianUs, double startAllMs, double joinAllMs, String stoppedBy) {}
}
