package dev.ipclab.cli.chaos;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * When the pool reported each worker down (its {@code PoolListener.workerDown}), by pid, and from that how long
 * after a fault the pool noticed it.
 */
final class Detections {
  private final Map<Long, List<Long>> downs = new ConcurrentHashMap<>();

  /** The pool reported {@code pid} down at {@code detectedNanos} (System.nanoTime()). */
  void down(long pid, long detectedNanos) {
    downs.computeIfAbsent(pid, p -> new CopyOnWriteArrayList<>()).add(detectedNanos);
  }

  /** Milliseconds (to 0.01) from the fault to the first report of its pid after it, or null if none came. */
  Double afterMillis(InjectedFault fault) {
    return downs.getOrDefault(fault.pid(), List.of()).stream()
        .filter(t -> t >= fault.atNanos())
        .findFirst()
        .map(t -> Math.round((t - fault.atNanos()) / 1e4) / 100.0)
        .orElse(null);
  }

  /** The median of each kind's detection times, the lower middle one of an even count (a time the run saw). */
  static Map<String, Double> medians(Map<String, List<Double>> byKind) {
    Map<String, Double> medians = new LinkedHashMap<>();
    byKind.forEach((kind, times) -> {
      List<Double> sorted = times.stream().sorted().toList();
      if (!sorted.isEmpty()) {
        medians.put(kind, sorted.get((sorted.size() - 1) / 2));
      }
    });
    return medians;
  }
}
