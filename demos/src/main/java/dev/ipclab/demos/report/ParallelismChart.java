package dev.ipclab.demos.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The parallelism demo as CPU lanes, grouped by mode: each bar is a stretch in which a unit was seen on that CPU,
 * coloured by its process (or thread, in the threads mode). One lane shows interleaving, several show overlap.
 */
final class ParallelismChart {
  private ParallelismChart() {}

  /** The SVG for the evidence's {@code units}, or null when they carry no CPU segments (older evidence). */
  static String render(JsonNode units) {
    Map<String, TreeSet<Integer>> cpusByMode = new LinkedHashMap<>();
    for (JsonNode u : units) {
      if (u.path("segments").isEmpty()) {
        return null;
      }
      TreeSet<Integer> cpus = cpusByMode.computeIfAbsent(u.get("mode").asText(), m -> new TreeSet<>());
      u.get("segments").forEach(g -> cpus.add(g.get("cpu").asInt()));
    }
    GanttChart chart = new GanttChart("Each CPU per mode: when a unit was seen running on it (sched_getcpu sampled"
        + " every 2^16 loop iterations)", "time since the mode's first unit started (ms)");
    // Lanes first, so that each mode's CPUs come together and in order, whatever order the segments come in.
    cpusByMode.forEach((mode, cpus) -> cpus.forEach(c -> chart.lane(lane(mode, c))));
    for (JsonNode u : units) {
      String mode = u.get("mode").asText();
      String who = mode.contains("threads") ? "tid " + u.get("tid").asLong() : "pid " + u.get("pid").asLong();
      for (JsonNode g : u.get("segments")) {
        int cpu = g.get("cpu").asInt();
        double start = g.get("start_ms").asDouble();
        double end = g.get("end_ms").asDouble();
        chart.span(new GanttChart.Span(lane(mode, cpu), start, end, who, "unit " + u.get("unit").asInt() + ", "
            + who + " on CPU " + cpu + ", " + Ticks.format(round(start)) + "–" + Ticks.format(round(end)) + " ms"));
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
