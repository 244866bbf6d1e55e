package dev.ipclab.cli.bench;

import java.util.List;

/**
 * Everything one {@code ipclab bench} run measured: one record for the table and for {@code --json}, so the two
 * always carry the same numbers.
 *
 * @param machine where it ran, and whether pinned
 * @param quick whether {@code --quick} shortened every phase
 * @param results one per transport, idle mode and payload size
 * @param spawnMs worker spawn to finished handshake, over {@code spawns} sequential spawns
 * @param workerRssMb worker resident memory in MiB
 * @param crashToReadyMs a SIGKILLed worker's slot, from the kill to a READY process in it, with and without a spare
 * @param anchors the bare-JDK figures, measured in this run, that the targets divide by
 * @param poolMemory Rss and Pss per worker in a pool, beside as many bare JVMs
 * @param targets the performance targets, each computed from the numbers above
 * @param elapsedS wall time of the whole run
 * @param poolTasks the pool's task throughput and latency, batched and not, against pings
 */
public record BenchReport(MachineFacts machine, boolean quick, List<Result> results, SpawnMs spawnMs,
    WorkerRssMb workerRssMb, CrashToReadyMs crashToReadyMs, Anchors anchors, Anchors.PoolMemory poolMemory,
    List<TargetCheck> targets, double elapsedS, PoolTasks poolTasks) {

  /**
   * From SIGKILL of a pool's only worker to a READY process in its slot, in ms, over {@code crashes} kills each:
   * with a restart backoff of 0 and no spare (a JVM start and a handshake stand on the path), and with
   * {@code spares(1)} (the slot takes the spare that was ready before the kill; the next kill waits for the next
   * spare to be ready).
   */
  public record CrashToReadyMs(String transport, int crashes, double noSpareP50, double noSpareP99,
      double spareP50, double spareP99) {}

  /**
   * One transport, idle mode and payload size.
   *
   * @param roundTrips round trips measured (after warm-up) for {@code rttUs}
   * @param rttUs ipclab's round trip, ping to pong, driven from the reading thread
   * @param baselineRttUs the bare-JDK echo's round trip over the same OS channel and idle mode; null if none
   *     exists for the transport (shm)
   * @param baselineRoundTrips round trips behind {@code baselineRttUs}
   * @param ratio ipclab's p50 divided by the baseline's p50; null without a baseline
   * @param throughput one-way pings, streamed
   * @param cpuUsPerMsg CPU time per round trip during the round-trip run, in µs; the same number is seconds
   *     per million messages
   * @param baselineCpuUsPerMsg the same for the bare-JDK echo's round trips (this JVM and the echo process); null
   *     without a baseline. The difference is what ipclab's layers cost in CPU, whatever the placement
   * @param workerRssMb the worker's resident memory right after this row's runs
   * @param warmup how long the row warmed up before measuring, and whether the JIT compilers had gone quiet
   */
  public record Result(String transport, String idle, int payloadBytes, long roundTrips, Percentiles rttUs,
      Percentiles baselineRttUs, Long baselineRoundTrips, Double ratio, Throughput throughput,
      CpuPerMsg cpuUsPerMsg, CpuPerMsg baselineCpuUsPerMsg, double workerRssMb, Warmup warmup) {}

  /**
   * A row's warm-up: ipclab's and the baseline's round trips, taking turns, until the compilers went quiet.
   *
   * @param seconds its wall time
   * @param jitQuiet whether the JIT compilers of the parent, the worker and the echo went quiet; false if the
   *     warm-up stopped at its limit while they still compiled, so the row's numbers include compilation
   * @param compilerCpuMs CPU time the compiler threads of those processes used during it
   */
  public record Warmup(double seconds, boolean jitQuiet, long compilerCpuMs) {
    String describe() {
      return String.format("warm-up %.1f s, %s (the compilers used %d ms of CPU)", seconds,
          jitQuiet ? "JIT quiet" : "JIT still compiling at the limit", compilerCpuMs);
    }
  }

  /**
   * One-way throughput of pings carrying the payload.
   *
   * @param messages one-way pings read by the worker
   * @param msgsPerS messages per second, from the first send to the pong that follows the last
   * @param mbPerS payload megabytes (10^6 bytes) per second; envelopes and framing not counted
   * @param cpuUsPerMsg CPU time per message during the stream, in µs
   */
  public record Throughput(long messages, double msgsPerS, double mbPerS, CpuPerMsg cpuUsPerMsg) {}

  /**
   * CPU time (user + system, all threads, from {@code /proc/<pid>/stat}) per message, in µs.
   *
   * @param parent this JVM
   * @param worker the worker process
   */
  public record CpuPerMsg(double parent, double worker) {}

  /** Spawn to finished handshake, in ms, over {@code spawns} sequential single-worker pools. */
  public record SpawnMs(String transport, int spawns, double p50, double p99) {}

  /**
   * Worker resident memory ({@code VmRSS}) in MiB.
   *
   * @param idle the median over the bench's workers, 300 ms after each was ready, before any load
   * @param loaded the largest seen after a row's runs
   */
  public record WorkerRssMb(double idle, double loaded) {}

  /**
   * One performance target, computed: a ratio of an ipclab figure to an anchor from the same run, or (with no
   * anchor) an absolute bound.
   *
   * @param name what is checked, with the run's placement
   * @param ipclab ipclab's figure, in {@code unit}
   * @param anchor the anchor's figure, in {@code unit}; null for an absolute target
   * @param anchorName what the anchor is; null for an absolute target
   * @param unit the unit of both figures
   * @param ratio {@code ipclab / anchor}, from the two figures as reported; null for an absolute target
   * @param expected the bound: on the ratio ({@code <= 1.1x}), or absolute with its unit
   * @param measured both figures and the ratio, for people
   * @param holds whether it met the bound; null when this run cannot tell (a baseline slower than ipclab itself
   *     means the machine, not the code, set the numbers)
   * @param miss by how much it missed, or why it cannot tell; null when it holds
   */
  public record TargetCheck(String name, Double ipclab, Double anchor, String anchorName, String unit,
      Double ratio, String expected, String measured, Boolean holds, String miss) {
    TargetCheck undecided(String why) {
      return new TargetCheck(name, ipclab, anchor, anchorName, unit, ratio, expected, measured, null, why);
    }
  }

  /**
   * The pool's own speed ({@code ipclab bench}'s pool phase): batched against one by one, and one task at a
   * time against one ping at a time, on the same pool in the same run.
   *
   * @param transport the pool's transport
   * @param workers workers in the pool
   * @param payloadBytes bytes of each task's payload (a {@code BytesValue}), and of each ping's
   * @param submitTasks tasks run by one {@code submit} each
   * @param submitTasksPerS their rate, from the first submit to the last outcome
   * @param mapTasks tasks run by {@code map} calls of {@code mapBatch} inputs
   * @param mapTasksPerS their rate, from the first call to the last result
   * @param mapBatch inputs per {@code map} call
   * @param mapVsSubmit {@code mapTasksPerS / submitTasksPerS}
   * @param taskRttUs one task at a time through the pool, submit to outcome, each sent from the last one's
   *     completion
   * @param pingRttUs one ping at a time to the same worker, sent the same way
   * @param taskVsPingP50 {@code taskRttUs.p50 / pingRttUs.p50}
   */
  public record PoolTasks(String transport, int workers, int payloadBytes, long submitTasks, double submitTasksPerS,
      long mapTasks, double mapTasksPerS, int mapBatch, double mapVsSubmit, Percentiles taskRttUs,
      Percentiles pingRttUs, double taskVsPingP50) {}
}
