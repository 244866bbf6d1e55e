package dev.ipclab.cli.chaos;

import java.util.List;
import java.util.Map;

/**
 * What a chaos run measured: one record for the text summary and the JSON.
 *
 * @param parentPid the parent JVM's pid
 * @param transport {@code pipe}, {@code tcp}, {@code uds} or {@code shm}
 * @param seed the seed of every random choice
 * @param workers worker slots in the pool
 * @param durationMs how long tasks were submitted and faults injected
 * @param elapsedMs the whole run, including draining, closing and the checks
 * @param tasks what became of the tasks
 * @param faults the faults injected, in order
 * @param faultsByKind how many of each kind
 * @param restarts the pool's restarts of crashed or hung workers
 * @param detectionMsByKind per fault kind that takes a worker down, the largest time from injection to the pool's
 *     workerDown for that pid
 * @param detectionP50MsByKind per fault kind that takes a worker down, the median of those times (the lower
 *     middle one of an even count)
 * @param largestDetectionMs the largest of those
 * @param undetected faults that take a worker down which the pool never reported
 * @param heap the parent's heap
 * @param poolFailure the pool's failure (restart intensity exceeded), or null
 * @param invariants what must hold, each PASS or FAIL
 * @param pass whether every invariant held
 */
public record ChaosSummary(long parentPid, String transport, long seed, int workers, long durationMs,
    long elapsedMs, Tasks tasks, List<Fault> faults, Map<String, Long> faultsByKind, long restarts,
    Map<String, Double> detectionMsByKind, Map<String, Double> detectionP50MsByKind,
    double largestDetectionMs, long undetected, Heap heap,
    String poolFailure, List<Invariant> invariants, boolean pass) {

  /**
   * @param submitted tasks submitted to the pool
   * @param completed tasks that completed with their result
   * @param retried tasks that ran more than once because a worker died under them
   * @param failed tasks that failed
   * @param failedByCause failed tasks per cause (pids and numbers shown as N)
   * @param cancelled tasks the run cancelled
   * @param notRetryable tasks submitted as not retryable
   * @param poolStats the pool's own counters at the end, as a cross-check
   */
  public record Tasks(long submitted, long completed, long retried, long failed, Map<String, Long> failedByCause,
      long cancelled, long notRetryable, Map<String, Long> poolStats) {}

  /** One injected fault, for people: when (ms into the run), what, whom, and how long until the pool noticed. */
  public record Fault(long atMs, String kind, int workerId, long pid, String detail, Double detectedAfterMs) {}

  /**
   * @param boundMb the bound the run was given
   * @param maxUsedMb the largest used heap sampled during the run
   * @param usedAfterGcMb the used heap after a full GC at the end
   * @param samples how many samples were taken
   */
  public record Heap(long boundMb, double maxUsedMb, double usedAfterGcMb, long samples) {}
}
