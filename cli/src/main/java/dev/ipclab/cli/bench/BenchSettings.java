package dev.ipclab.cli.bench;

import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.TransportKind;
import java.time.Duration;
import java.util.List;

/**
 * What one bench run measures and for how long.
 *
 * @param transports every transport to run, in order
 * @param idles every idle mode to run on each transport
 * @param payloads payload sizes in bytes, each a row
 * @param spawns sequential worker spawns timed for spawn-to-ready
 * @param warmup unmeasured round trips before each row's measurement, at least (and before each stream, half of it)
 * @param warmupMax the longest a row's warm-up may last while the JIT compilers are still busy
 * @param measure how long round trips are measured, for ipclab and for the baseline each
 * @param stream how long each one-way stream runs
 * @param quick whether these are the short {@code --quick} phases
 */
public record BenchSettings(List<TransportKind> transports, List<IdleStrategy> idles, List<Integer> payloads,
    int spawns, Duration warmup, Duration warmupMax, Duration measure, Duration stream, boolean quick) {

  /**
   * Phases for a whole default run under 60 s on a 2-core machine: 0.2 to 0.4 s warm-up (often too short for the
   * JIT to go quiet; each row says), 0.3 s per measurement.
   */
  public static BenchSettings quick(List<TransportKind> transports, List<IdleStrategy> idles,
      List<Integer> payloads, int spawns) {
    return new BenchSettings(transports, idles, payloads, spawns, Duration.ofMillis(200), Duration.ofMillis(400),
        Duration.ofMillis(300), Duration.ofMillis(250), true);
  }

  /** The full phases: 1 to 10 s warm-up, 3 s per round-trip measurement, 2 s streams. */
  public static BenchSettings full(List<TransportKind> transports, List<IdleStrategy> idles,
      List<Integer> payloads, int spawns) {
    return new BenchSettings(transports, idles, payloads, spawns, Duration.ofSeconds(1), Duration.ofSeconds(10),
        Duration.ofSeconds(3), Duration.ofSeconds(2), false);
  }

  public BenchSettings {
    transports = List.copyOf(transports);
    idles = List.copyOf(idles);
    payloads = List.copyOf(payloads);
    if (transports.isEmpty() || idles.isEmpty() || payloads.isEmpty()) {
      throw new IllegalArgumentException("expected at least one transport, idle mode and payload; got "
          + transports + ", " + idles + ", " + payloads);
    }
    if (spawns < 1) {
      throw new IllegalArgumentException("expected at least 1 spawn, got " + spawns);
    }
    if (payloads.stream().anyMatch(p -> p < 0)) {
      throw new IllegalArgumentException("payload sizes must be 0 or more bytes, got " + payloads);
    }
  }

  int rows() {
    return transports.size() * idles.size() * payloads.size();
  }
}
