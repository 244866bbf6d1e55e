package dev.ipclab.demos;

import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.demos.evidence.ParallelismEvidence;
import dev.ipclab.demos.os.CpuAffinity;
import dev.ipclab.demos.os.OtherLoad;
import dev.ipclab.demos.trace.TraceRecorder;
import dev.ipclab.demos.proto.v1.CalibrateWork;
import dev.ipclab.demos.proto.v1.CalibrationResult;
import dev.ipclab.demos.proto.v1.CpuSegment;
import dev.ipclab.demos.proto.v1.RunUnits;
import dev.ipclab.demos.proto.v1.UnitSpan;
import dev.ipclab.demos.proto.v1.UnitSpans;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code parallelism}: the same CPU-bound units run sequentially, as processes pinned to one CPU (concurrent:
 * interleaved, no speed-up), as processes free on all CPUs, and as threads of one worker (both parallel).
 */
public final class ParallelismDemo implements Demo {
  static final int UNITS = 4;
  static final int UNIT_MILLIS = 250;
  /** Above this share of CPU time taken by other processes, a missed speed-up is not the demo's verdict. */
  public static final double BUSY_SHARE = 0.2;
  private static final String RUN = "parallelism.run";

  @Override
  public String name() {
    return "parallelism";
  }

  @Override
  public String claim() {
    return "Concurrency is not parallelism: taking turns on one CPU gains nothing, several CPUs do.";
  }

  @Override
  public DemoResult run(DemoContext context) throws Exception {
    List<Integer> cpus = CpuAffinity.allowed(ProcessHandle.current().pid());
    int parallel = Math.min(UNITS, cpus.size());
    DemoResult.Builder result = DemoResult.builder(this)
        .transport(context.transport().cliName())
        .prediction(UNITS + " units of ~" + UNIT_MILLIS + " ms: speed-up ≈ 1 pinned to one CPU (they take turns), ≈ "
            + parallel + " on " + cpus.size() + " CPUs.");
    if (cpus.size() < 2) {
      // It measured only which CPUs it may use.
      return result.evidence(new ParallelismEvidence(List.copyOf(cpus), null, null, Map.of(), List.of()))
          .build(Verdict.notApplicable("this process may run on one CPU only (Cpus_allowed_list " + cpus
              + "), so nothing can run in parallel; run it on a machine with 2 or more CPUs"));
    }
    context.progress("starting " + UNITS + " workers");
    WorkerPool pool = context.startPool(UNITS);
    List<PoolWorker> workers = pool.workers();
    for (PoolWorker w : workers) {
      result.pid(w.name(), w.pid());
    }
    PoolWorker first = workers.getFirst();
    context.progress("calibrating a unit to ~" + UNIT_MILLIS + " ms in " + first.name());
    CalibrationResult calibration = TaskCall.call(first, "parallelism.calibrate",
        CalibrateWork.newBuilder().setTargetMs(UNIT_MILLIS).build(), CalibrationResult.parser()).value();
    long iterations = calibration.getIterations();
    everyWorker(workers, iterations / 20); // the JIT compiles the loop in every worker before anything counts

    List<Long> pids = new ArrayList<>(workers.stream().map(PoolWorker::pid).toList());
    pids.add(ProcessHandle.current().pid());
    // From the first measured run on: noise in the sequential baseline spoils every speed-up too.
    OtherLoad load = new OtherLoad(pids, cpus);
    Map<String, List<UnitSpan>> modes = new LinkedHashMap<>();
    context.progress("sequential: " + UNITS + " units on one thread of " + first.name());
    modes.put("sequential, one thread", TaskCall.call(first, RUN, units(UNITS, iterations, false),
        UnitSpans.parser()).value().getSpansList());

    int pin = cpus.getFirst();
    context.progress(UNITS + " processes pinned to CPU " + pin + " with taskset");
    for (PoolWorker w : workers) {
      CpuAffinity.set(w.pid(), List.of(pin));
    }
    try {
      modes.put(UNITS + " processes on CPU " + pin, everyWorker(workers, iterations));
    } finally {
      for (PoolWorker w : workers) {
        CpuAffinity.set(w.pid(), cpus);
      }
    }
    context.progress(UNITS + " processes on all " + cpus.size() + " CPUs");
    modes.put(UNITS + " processes, all CPUs", everyWorker(workers, iterations));
    context.progress(UNITS + " threads in " + first.name());
    modes.put(UNITS + " threads in one process", TaskCall.call(first, RUN, units(UNITS, iterations, true),
        UnitSpans.parser()).value().getSpansList());
    double otherShare = load.share();
    for (Map.Entry<String, List<UnitSpan>> mode : modes.entrySet()) {
      for (UnitSpan s : mode.getValue()) {
        context.trace().span(new TraceRecorder.Span("unit " + s.getUnit(), mode.getKey(),
            new TraceRecorder.ThreadId(s.getPid(), s.getTid()), s.getStartNanos(), s.getEndNanos()));
      }
    }

    DemoResult verdict = verdict(result, modes, pin, parallel, workers, cpus, iterations, otherShare);
    boolean failed = verdict.verdict().outcome() == Verdict.Outcome.FAILS;
    if (failed && otherShare > BUSY_SHARE) {
      // A slow parallel run on a machine busy with other work says nothing about parallelism.
      return result.build(Verdict.notApplicable(String.format(java.util.Locale.ROOT, "other processes took %.0f%%"
          + " of the CPUs' time while the units ran (more than %.0f%%), so the speed-up could not be"
          + " measured; run it again on an idle machine", 100 * otherShare, 100 * BUSY_SHARE)));
    }
    return verdict;
  }

  private DemoResult verdict(DemoResult.Builder result, Map<String, List<UnitSpan>> modes, int pin, int parallel,
      List<PoolWorker> workers, List<Integer> cpus, long iterations, double otherShare) {
    double sequential = wall(modes.values().iterator().next());
    Table.Builder summary = Table.of("Four ways to run " + UNITS + " units", "mode", "wall (ms)", "speed-up",
        "CPUs used", "all units in progress at once");
    Table.Builder gantt = Table.of("Every unit: when and where it ran (ms from the mode's start)", "mode", "unit",
        "pid", "tid", "CPUs", "start (ms)", "end (ms)");
    List<ParallelismEvidence.Unit> unitEvidence = new ArrayList<>();
    Map<String, Double> speedups = new LinkedHashMap<>();
    for (Map.Entry<String, List<UnitSpan>> mode : modes.entrySet()) {
      List<UnitSpan> spans = mode.getValue();
      double wall = wall(spans);
      double speedup = sequential / wall;
      speedups.put(mode.getKey(), speedup);
      List<Integer> used = spans.stream().flatMap(s -> s.getCpusList().stream()).distinct().sorted().toList();
      summary.row(mode.getKey(), Stats.millis(wall), speedup, used.toString(), overlapped(spans) ? "yes" : "no");
      long origin = spans.stream().mapToLong(UnitSpan::getStartNanos).min().orElseThrow();
      for (UnitSpan s : spans) {
        double start = Stats.millis(s.getStartNanos() - origin);
        double end = Stats.millis(s.getEndNanos() - origin);
        gantt.row(mode.getKey(), s.getUnit(), s.getPid(), s.getTid(), s.getCpusList().toString(), start, end);
        unitEvidence.add(new ParallelismEvidence.Unit(mode.getKey(), s.getUnit(), s.getPid(), s.getTid(),
            List.copyOf(s.getCpusList()), start, end, segments(s, origin)));
      }
    }
    result.keyTable(summary.build()).table(gantt.build())
        .evidence(new ParallelismEvidence(List.copyOf(cpus), iterations, otherShare,
            Collections.unmodifiableMap(speedups), List.copyOf(unitEvidence)));

    List<List<UnitSpan>> all = new ArrayList<>(modes.values());
    List<UnitSpan> pinned = all.get(1);
    List<Check> checks = new ArrayList<>();
    checks.add(Check.that("pinned units were in progress at once (concurrent)", overlapped(pinned),
        "all " + UNITS + " overlap in time", overlapped(pinned) ? "they overlap" : "they do not"));
    List<Integer> pinnedCpus = pinned.stream().flatMap(s -> s.getCpusList().stream()).distinct().toList();
    checks.add(Check.equal("CPUs the pinned units ran on", pinnedCpus, List.of(pin)));
    checks.add(Check.between("speed-up pinned to one CPU (≈ 1, ± 40% for noise)", speedups.get(UNITS
        + " processes on CPU " + pin), 0.6, 1.4, "×").asKey());
    // Wide on purpose: a 2-core VM shares its cores with the JVMs' own threads and the host. Above the CPU count
    // too, since the sequential baseline it divides can itself be slowed by that noise.
    double low = 0.7 * parallel;
    String around = String.format(java.util.Locale.ROOT, " (≈ %d, -30%% … +30%% for noise)", parallel);
    checks.add(Check.between("speed-up of processes on all CPUs" + around, speedups.get(UNITS
        + " processes, all CPUs"), low, parallel * 1.3, "×").asKey());
    checks.add(Check.between("speed-up of threads in one process" + around, speedups.get(UNITS
        + " threads in one process"), low, parallel * 1.3, "×"));
    result.shows(String.format(java.util.Locale.ROOT, "Concurrent means in progress at the same time; parallel"
        + " means running at the same instant, one CPU each. Pinned to one CPU the %d processes overlapped but"
        + " took turns: %.2f×. On %d CPU(s), %d processes reached %.2f× and %d threads %.2f×: the kernel"
        + " schedules each thread on its own.", UNITS, speedups.get(UNITS
        + " processes on CPU " + pin), cpus.size(), UNITS, speedups.get(UNITS + " processes, all CPUs"), UNITS,
        speedups.get(UNITS + " threads in one process")));
    result.note(String.format(java.util.Locale.ROOT, "Other processes took %.0f%% of the CPUs' time while the"
        + " units ran (from /proc/stat less the workers' own /proc/<pid>/stat); a busy machine lowers the"
        + " speed-ups.", 100 * otherShare));
    long pid = workers.getFirst().pid();
    result.command("grep Cpus_allowed_list /proc/" + pid + "/status", "which CPUs a worker (pid " + pid + ") may use")
        .command(CpuAffinity.command(pid, List.of(pin)), "pin every thread of a worker to one CPU, as the demo did")
        .command(CpuAffinity.command(pid, cpus), "and free it again")
        .command("ps -L -o pid,tid,psr,pcpu,comm -p " + pid, "PSR is the CPU each thread last ran on")
        .command("nproc; grep -c ^processor /proc/cpuinfo", "CPUs available to you, and on the machine");
    return result.build(Verdict.of(checks));
  }

  /** Runs one unit in every worker at once and returns their spans. */
  private static List<UnitSpan> everyWorker(List<PoolWorker> workers, long iterations) throws Exception {
    List<CompletableFuture<TaskCall.Reply<UnitSpans>>> replies = new ArrayList<>();
    for (PoolWorker w : workers) {
      replies.add(TaskCall.async(w, RUN, units(1, iterations, false), UnitSpans.parser(),
          TaskCall.DEFAULT_TIMEOUT));
    }
    List<UnitSpan> spans = new ArrayList<>();
    for (var reply : replies) {
      UnitSpan s = TaskCall.await(reply).value().getSpans(0);
      spans.add(s.toBuilder().setUnit(spans.size()).build());
    }
    return spans;
  }

  /** When the unit was seen on which CPU, in ms from {@code origin}. */
  private static List<ParallelismEvidence.Segment> segments(UnitSpan s, long origin) {
    List<ParallelismEvidence.Segment> out = new ArrayList<>();
    for (CpuSegment g : s.getSegmentsList()) {
      out.add(new ParallelismEvidence.Segment(g.getCpu(), Stats.millis(g.getStartNanos() - origin),
          Stats.millis(g.getEndNanos() - origin)));
    }
    return List.copyOf(out);
  }

  private static RunUnits units(int n, long iterations, boolean concurrent) {
    return RunUnits.newBuilder().setUnits(n).setIterations(iterations).setConcurrent(concurrent).build();
  }

  /** From the first start to the last end, in nanoseconds. */
  private static double wall(List<UnitSpan> spans) {
    long start = spans.stream().mapToLong(UnitSpan::getStartNanos).min().orElseThrow();
    long end = spans.stream().mapToLong(UnitSpan::getEndNanos).max().orElseThrow();
    return end - start;
  }

  /** True if some instant lies inside every span: the last start precedes the first end. */
  static boolean overlapped(List<UnitSpan> spans) {
    long lastStart = spans.stream().mapToLong(UnitSpan::getStartNanos).max().orElseThrow();
    long firstEnd = spans.stream().mapToLong(UnitSpan::getEndNanos).min().orElseThrow();
    return lastStart < firstEnd;
  }
}
