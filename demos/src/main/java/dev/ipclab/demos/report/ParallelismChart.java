package dev.ipclab.demos.report;

import dev.ipclab.demos.evidence.ParallelismEvidence;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The parallelism demo as CPU lanes, grouped by mode: each bar is a stretch in which a unit was seen on that CPU,
 * coloured by its process (or thread, in the threads mode). One lane shows interleaving, several show overlap.
 */
final class ParallelismChart {
  private ParallelismChart() {}

  /** The SVG for the evidence's {@code units}, or null when a unit carries no CPU segments. */
  static String render(List<ParallelismEvidence.Unit> units) {
    Map<String, TreeSet<Integer>> cpusByMode = new LinkedHashMap<>();
    for (ParallelismEvidence.Unit u : units) {
      if (u.segments().isEmpty()) {
        return null;
      }
      TreeSet<Integer> cpus = cpusByMode.computeIfAbsent(u.mode(), m -> new TreeSet<>());
      u.segments().forEach(g -> cpus.add(g.cpu()));
    }
    GanttChart chart = new GanttChart("Each CPU per mode: when a unit was seen running on it (sched_getcpu sampled"
        + " every 2^16 loop iterations)", "time since the mode's first unit started (ms)");
    // Lanes first, so that each mode's CPUs come together and in order, whatever order the segments come in.
    cpusByMode.forEach((mode, cpus) -> cpus.forEach(c -> chart.lane(lane(mode, c))));
    for (ParallelismEvidence.Unit u : units) {
      String mode = u.mode();
      String who = mode.contains("threads") ? "tid " + u.tid() : "pid " + u.pid();
      for (ParallelismEvidence.Segment g : u.segments()) {
        chart.span(new GanttChart.Span(lane(mode, g.cpu()), g.startMs(), g.endMs(), who, "unit " + u.unit() + ", "
            + who + " on CPU " + g.cpu() + ", " + Ticks.format(round(g.startMs())) + "–"
            + Ticks.format(round(g.endMs())) + " ms"));
      }
    }
    return chart.render();
  }

  static String lane(String mode, int cpu) {
    return mode + " · CPU " + cpu;
  }

  private static double round(double ms) {
    return Math.round(ms * 100) / 100.0;
  }
}
