package dev.ipclab.cli.bench;

import java.util.List;

/**
 * The bare-JDK anchors of one bench run, measured in the same run as ipclab's numbers so that every target is a
 * ratio of two figures taken under the same load. The round-trip anchors (the bare echo over pipe, tcp, uds and
 * the shm spin echo) are in each row's {@code baseline_rtt_us}; {@code shmSpinEchoRttUs} repeats the shm one at
 * the targets' payload.
 *
 * @param bareJvm a {@code BareEcho} child with a worker's {@code java} and flags: start-up and memory
 * @param shmSpinEchoRttUs the bare-JDK shm spin echo's round trip at {@link Targets#PAYLOAD} bytes; null if shm
 *     spin was not run
 * @param bufferedStream the bare-JDK one-way stream, buffered writes over a pipe
 */
public record Anchors(BareJvm bareJvm, Percentiles shmSpinEchoRttUs, BufferedStream bufferedStream) {

  /**
   * A bare child JVM: the same {@code java} and footprint flags as a worker, none of ipclab's classes, no AOT cache
   * of its own (the JDK's default CDS archive).
   *
   * @param spawns sequential spawns timed
   * @param spawnToFirstEchoP50Ms from {@code ProcessBuilder.start} to the first echoed frame read back, median
   * @param spawnToFirstEchoP99Ms the same, 99th percentile (nearest rank)
   * @param idleRssMb median {@code VmRSS} of {@code idle} such JVMs, 300 ms after their first echo, in MiB
   * @param idlePssMb median {@code Pss} ({@code smaps_rollup}) of the same JVMs, all alive at once, in MiB
   * @param idle how many bare JVMs were alive at once for the memory figures
   */
  public record BareJvm(int spawns, double spawnToFirstEchoP50Ms, double spawnToFirstEchoP99Ms, double idleRssMb,
      double idlePssMb, int idle) {}

  /**
   * The bare-JDK one-way stream: a {@code BufferedOutputStream} over a child's stdin, 4-byte length and payload
   * per message, the child counting them; closed by a count request whose answer stops the clock.
   *
   * @param payloadBytes payload per message
   * @param messages messages the child counted
   * @param msgsPerS messages per second from the first write to the last count
   * @param mbPerS payload megabytes (10^6 bytes) per second
   */
  public record BufferedStream(int payloadBytes, long messages, double msgsPerS, double mbPerS) {}

  /**
   * Resident ({@code VmRSS}, from {@code status}) and proportional ({@code Pss}, from {@code smaps_rollup}) memory
   * of a process, in MiB.
   * Pss counts a page shared by n processes as 1/n in each, so the Pss of a pool adds up to what it really uses.
   */
  public record ProcMemory(long pid, double rssMb, double pssMb) {}

  /**
   * Memory per worker in a pool, idle, beside as many bare JVMs alive at once.
   *
   * @param transport the pool's transport
   * @param workers the pool's workers, 300 ms after all were ready
   * @param bareJvms the bare JVMs, 300 ms after their first echo
   * @param workerRssMb median of the workers' Rss
   * @param workerPssMb median of the workers' Pss
   * @param bareRssMb median of the bare JVMs' Rss
   * @param barePssMb median of the bare JVMs' Pss
   */
  public record PoolMemory(String transport, List<ProcMemory> workers, List<ProcMemory> bareJvms,
      double workerRssMb, double workerPssMb, double bareRssMb, double barePssMb) {}
}
