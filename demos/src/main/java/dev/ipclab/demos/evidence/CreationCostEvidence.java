package dev.ipclab.demos.evidence;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * What the creation-cost demo measured: the median time to create a process, a JVM and threads, and to make one
 * round trip over each transport and between threads, with the round trips' distributions.
 *
 * @param otherProcessesCpuShareWhileSpinning the share of the CPUs' time other processes took while the threads
 *     spun
 * @param messageBytes the size of the big message in the rows that carry one, e.g.
 *     {@code "process ⇄ process, 1 MiB each way (pipe)"}
 * @param medianUs the median in µs by row, creation rows first, e.g. {@code "worker JVM, spawn to ready"}
 * @param rttCdfUs each round-trip row's latency distribution
 * @param workerSleepsPerRoundTrip voluntary context switches per round trip by round-trip row: of all the
 *     worker's threads for a process, of the receiving thread for a hand-off
 * @param jvmSpawnMsByTransport the worker JVM's spawn to ready in ms, by transport
 * @param blockingUnder10usShare the share of blocking hand-offs faster than 10 µs (the receiver still awake)
 * @param blockingReceiverSleepsPerRoundTrip the blocking hand-off's receiving thread's sleeps per round trip
 * @param blockingUnder10usMedianUs the median of the blocking hand-offs under 10 µs (NaN if there were none)
 * @param blockingOver10usMedianUs the median of the others (NaN if there were none)
 */
public record CreationCostEvidence(double otherProcessesCpuShareWhileSpinning, int messageBytes,
    Map<String, Double> medianUs,
    Map<String, Cdf> rttCdfUs, Map<String, Double> workerSleepsPerRoundTrip,
    Map<String, Double> jvmSpawnMsByTransport,
    @JsonProperty("blocking_under_10us_share") double blockingUnder10usShare,
    double blockingReceiverSleepsPerRoundTrip,
    @JsonProperty("blocking_under_10us_median_us") double blockingUnder10usMedianUs,
    @JsonProperty("blocking_over_10us_median_us") double blockingOver10usMedianUs) implements DemoEvidence {

  /**
   * One row's measured latency at percentiles 1…99, 99.9 and 100 (the max), nearest-rank: every value is a sample.
   *
   * @param percentile the percentiles, ascending
   * @param latencyUs the latency at each, in µs
   */
  public record Cdf(List<Double> percentile, List<Double> latencyUs) {}
}
