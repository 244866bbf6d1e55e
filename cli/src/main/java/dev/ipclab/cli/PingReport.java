package dev.ipclab.cli;

import java.util.List;

/**
 * The result of {@code ipclab ping}; printed as a table, or as JSON with snake_case names.
 *
 * @param parentPid the parent JVM's pid
 * @param transport pipe, tcp, uds or shm
 * @param endpoint where workers connected ({@code stdin/stdout} for pipes)
 * @param workers each worker with its own round trips
 * @param roundTrips measured round trips, warm-up excluded
 * @param warmupRoundTrips round trips run first and not measured
 * @param payloadBytes bytes of payload in each ping, echoed back in each pong
 * @param elapsedMs wall time of the measured round trips
 * @param roundTripsPerS measured round trips divided by their wall time
 * @param rttUs round-trip percentiles over all workers
 */
record PingReport(long parentPid, String transport, String endpoint, List<WorkerResult> workers, long roundTrips,
    long warmupRoundTrips, int payloadBytes, double elapsedMs, double roundTripsPerS, LatencySummary rttUs) {

  /**
   * One worker's share.
   *
   * @param id the worker id
   * @param pid its pid
   * @param ppid its parent pid as /proc reports it
   * @param spawnToReadyMs from spawn to completed handshake
   * @param roundTrips round trips measured on it
   * @param rttUs its round-trip percentiles
   */
  record WorkerResult(int id, long pid, long ppid, double spawnToReadyMs, long roundTrips, LatencySummary rttUs) {}
}
