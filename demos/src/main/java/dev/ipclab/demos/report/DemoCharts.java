package dev.ipclab.demos.report;

import dev.ipclab.demos.DemoResult;
import dev.ipclab.demos.evidence.AddressSpaceEvidence;
import dev.ipclab.demos.evidence.AsyncIoEvidence;
import dev.ipclab.demos.evidence.CoroutinesEvidence;
import dev.ipclab.demos.evidence.CreationCostEvidence;
import dev.ipclab.demos.evidence.ParallelismEvidence;
import dev.ipclab.demos.evidence.ThreadStatesEvidence;
import dev.ipclab.demos.evidence.ThreadsShareEvidence;
import dev.ipclab.demos.evidence.WebServerEvidence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The chart that fits each demo, drawn only from the numbers that run measured (its evidence record); a demo whose
 * evidence lacks what the chart needs gets no chart rather than invented numbers.
 */
public final class DemoCharts {
  private DemoCharts() {}

  /**
   * A chart with the id of its figure in the report.
   *
   * @param id {@code chart-NAME} for a demo's main chart, {@code chart-NAME-WHAT} for a further one
   * @param svg the chart
   */
  public record Figure(String id, String svg) {}

  /** Every chart for {@code result}: its main chart, then any further one its evidence allows, in that order. */
  public static List<Figure> figures(DemoResult result) {
    List<Figure> out = new ArrayList<>();
    chart(result).ifPresent(svg -> out.add(new Figure("chart-" + result.demo(), svg)));
    if (result.evidence() instanceof CreationCostEvidence e) {
      String cdf = roundTripCdf(e);
      if (cdf != null) {
        out.add(new Figure("chart-" + result.demo() + "-rtt", cdf));
      }
    }
    return out;
  }

  /**
   * The SVG for {@code result}, or empty when its demo has no chart or its evidence lacks what the chart needs
   * (a demo that stopped early, or failed before it measured).
   */
  public static Optional<String> chart(DemoResult result) {
    return Optional.ofNullable(switch (result.evidence()) {
      case AddressSpaceEvidence e -> addressSpace(e, result.pids());
      case ThreadStatesEvidence e -> threadStates(e);
      case ParallelismEvidence e -> parallelism(e);
      case CreationCostEvidence e -> creationCost(e);
      case CoroutinesEvidence e -> coroutines(e);
      case AsyncIoEvidence e -> asyncIo(e);
      // These two have no chart: the report shows their tables.
      case ThreadsShareEvidence _, WebServerEvidence _ -> null;
      case null -> null;
    });
  }

  private static String addressSpace(AddressSpaceEvidence e, Map<String, Long> pids) {
    AddressSpaceEvidence.FixedAddress fixed = e.fixed();
    AddressSpaceEvidence.SharedFile shm = e.shm();
    if (fixed == null || fixed.address() == null || fixed.values().size() < 2 || shm == null
        || shm.mappedAt().size() < 2 || shm.written().size() < 2 || shm.read().size() < 2
        || !pids.containsKey("worker-1") || !pids.containsKey("worker-2")) {
      return null;
    }
    // shm.read is [what worker-2 read, what worker-1 read].
    var a = new ProcessBoxes.Process("worker-1", pids.get("worker-1"), String.valueOf(fixed.values().get(0)),
        "0x" + Long.toHexString(shm.mappedAt().get(0)), String.valueOf(shm.written().get(0)),
        String.valueOf(shm.read().get(1)));
    var b = new ProcessBoxes.Process("worker-2", pids.get("worker-2"), String.valueOf(fixed.values().get(1)),
        "0x" + Long.toHexString(shm.mappedAt().get(1)), String.valueOf(shm.written().get(1)),
        String.valueOf(shm.read().get(0)));
    return ProcessBoxes.render("The same virtual address in two processes, and the one shared mapping",
        fixed.addressHex(), shm.path(), a, b);
  }

  private static String threadStates(ThreadStatesEvidence e) {
    if (e.perThread().isEmpty() || e.windowMs() == null) {
      return null;
    }
    double window = e.windowMs();
    StackedBarChart chart = new StackedBarChart("Where each thread's time went during the window (schedstat)",
        "time in the window (ms)", List.of("running (on CPU)", "ready (run-queue wait)", "blocked or asleep"));
    for (ThreadStatesEvidence.ThreadWindow t : e.perThread()) {
      double rest = Math.max(0, window - t.onCpuMs() - t.runQueueMs());
      chart.row(new StackedBarChart.Row("tid " + t.tid() + " " + t.role(), List.of(t.onCpuMs(), t.runQueueMs(),
          rest)));
    }
    return chart.render();
  }

  private static String parallelism(ParallelismEvidence e) {
    if (e.units().isEmpty()) {
      return null;
    }
    String lanes = ParallelismChart.render(e.units());
    if (lanes != null) {
      return lanes;
    }
    // Units without CPU segments: one row per unit, with the set of CPUs it was seen on.
    GanttChart chart = new GanttChart("Work units on their CPUs, per mode: side by side means they overlapped",
        "time since the mode's first unit started (ms)");
    for (ParallelismEvidence.Unit u : e.units()) {
      // One row per unit: units that share a CPU then show as overlapping spans, not one bar hiding another.
      List<String> cpus = u.cpus().stream().map(String::valueOf).toList();
      String who = u.mode().contains("threads") ? "thread " + u.tid() : "process " + u.pid();
      chart.span(new GanttChart.Span(u.mode() + " · CPU " + String.join("+", cpus) + " · " + who, u.startMs(),
          u.endMs(), "unit " + u.unit(), "unit " + u.unit() + ", " + who + ", ran on CPUs " + cpus));
    }
    return chart.render();
  }

  private static String creationCost(CreationCostEvidence e) {
    if (e.medianUs().isEmpty()) {
      return null;
    }
    BarChart chart = new BarChart("Creation and one round trip, medians (log scale)", "median time (µs), log scale",
        true);
    e.medianUs().forEach((what, micros) -> {
      String series = what.contains("⇄") ? "round trip" : "creation";
      if (micros > 0) {
        chart.bar(new BarChart.Bar(what, series, micros));
      }
    });
    return chart.render();
  }

  private static String roundTripCdf(CreationCostEvidence e) {
    if (e.rttCdfUs().isEmpty()) {
      return null;
    }
    CdfChart chart = new CdfChart("Round-trip latency, cumulative: the further left, the faster; the top is the"
        + " tail", "latency (µs), log scale");
    e.rttCdfUs().forEach((what, cdf) -> chart.series(new CdfChart.Series(what, doubles(cdf.percentile()),
        doubles(cdf.latencyUs()))));
    return chart.render();
  }

  private static double[] doubles(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static String coroutines(CoroutinesEvidence e) {
    List<CoroutinesEvidence.Step> steps = e.steps();
    if (steps.size() < 2) {
      return null;
    }
    GanttChart chart = new GanttChart("Virtual threads taking turns on one carrier thread",
        "time since the first step (µs)");
    // Each step holds the carrier until the next step is recorded; the last has no measured end, so it is left out.
    for (int i = 0; i + 1 < steps.size(); i++) {
      CoroutinesEvidence.Step s = steps.get(i);
      chart.span(new GanttChart.Span("carrier tid " + s.carrierTid(), s.atUs(), steps.get(i + 1).atUs(),
          "virtual thread " + s.name(), s.name() + s.step()));
    }
    return chart.render();
  }

  private static String asyncIo(AsyncIoEvidence e) {
    Map<String, AsyncIoEvidence.Page> pages = new LinkedHashMap<>();
    pages.put("sync", e.sync());
    pages.put("threads", e.threads());
    pages.put("async", e.async());
    pages.values().removeIf(page -> page == null || page.timeline().isEmpty());
    if (pages.isEmpty()) {
      return null;
    }
    GanttChart chart = new GanttChart("Image loads, waterfall: synchronous, threaded and asynchronous",
        "time since the page load started (ms)");
    pages.forEach((mode, page) -> {
      for (AsyncIoEvidence.ImageLoad r : page.timeline()) {
        String lane = mode + " · image " + r.image();
        String tip = r.bytes() + " bytes on " + r.ioThread();
        chart.span(new GanttChart.Span(lane, r.startMs(), r.arrivedMs(), "request until the response arrived", tip));
        chart.span(new GanttChart.Span(lane, r.arrivedMs(), r.endMs(), "arrived until written to disk", tip));
      }
    });
    return chart.render();
  }
}
