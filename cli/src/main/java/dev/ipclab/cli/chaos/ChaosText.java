package dev.ipclab.cli.chaos;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/** Prints a {@link ChaosSummary} for people: counts first, then the faults, then each invariant PASS or FAIL. */
public final class ChaosText {
  private ChaosText() {}

  public static void print(ChaosSummary s, PrintWriter out) {
    out.printf(Locale.ROOT, "ipclab chaos: %d s on %d %s workers, seed %d, parent pid %d (%.1f s in all)%n",
        s.durationMs() / 1000, s.workers(), s.transport(), s.seed(), s.parentPid(), s.elapsedMs() / 1000.0);
    ChaosSummary.Tasks t = s.tasks();
    out.printf(Locale.ROOT, "tasks     submitted %d, completed %d, retried %d, failed %d, cancelled %d"
        + " (%d submitted not retryable)%n", t.submitted(), t.completed(), t.retried(), t.failed(), t.cancelled(),
        t.notRetryable());
    for (Map.Entry<String, Long> cause : t.failedByCause().entrySet()) {
      out.printf(Locale.ROOT, "  failed %5d  %s%n", cause.getValue(), cause.getKey());
    }
    out.printf(Locale.ROOT, "faults    %d injected: %s%n", s.faults().size(), joined(s.faultsByKind()));
    for (ChaosSummary.Fault f : s.faults()) {
      out.printf(Locale.ROOT, "  at %6.1f s  %-11s worker-%d pid %-8d %s%s%n", f.atMs() / 1000.0, f.kind(),
          f.workerId(), f.pid(), f.detail(),
          f.detectedAfterMs() == null ? "" : String.format(Locale.ROOT, "  (down after %.1f ms)",
              f.detectedAfterMs()));
    }
    out.printf(Locale.ROOT, "restarts  %d%n", s.restarts());
    out.printf(Locale.ROOT, "detection largest %.1f ms (kill, stop, exit); per kind p50/max: %s%n",
        s.largestDetectionMs(), s.detectionMsByKind().isEmpty() ? "none"
            : joinedMs(s.detectionP50MsByKind(), s.detectionMsByKind()));
    ChaosSummary.Heap h = s.heap();
    out.printf(Locale.ROOT, "heap      max %.1f MB over %d samples, %.1f MB after GC, bound %d MB%n",
        h.maxUsedMb(), h.samples(), h.usedAfterGcMb(), h.boundMb());
    if (s.poolFailure() != null) {
      out.println("pool      FAILED: " + s.poolFailure());
    }
    out.println("invariants");
    for (Invariant i : s.invariants()) {
      out.printf(Locale.ROOT, "  %s  %-52s %s%n", i.pass() ? "PASS" : "FAIL", i.name(), i.detail());
    }
    long held = s.invariants().stream().filter(Invariant::pass).count();
    out.printf(Locale.ROOT, "RESULT: %s (%d of %d invariants hold)%n", s.pass() ? "PASS" : "FAIL", held,
        s.invariants().size());
    out.flush();
  }

  private static String joined(Map<String, Long> counts) {
    StringBuilder b = new StringBuilder();
    counts.forEach((k, v) -> b.append(b.isEmpty() ? "" : ", ").append(k).append(' ').append(v));
    return b.toString();
  }

  /** {@code sigkill 20.1/32.7 ms, ...}: the median and the largest of each kind. */
  private static String joinedMs(Map<String, Double> p50, Map<String, Double> max) {
    StringBuilder b = new StringBuilder();
    max.forEach((k, v) -> b.append(b.isEmpty() ? "" : ", ")
        .append(k).append(' ').append(String.format(Locale.ROOT, "%.1f/%.1f ms", p50.getOrDefault(k, v), v)));
    return b.toString();
  }
}
