package dev.ipclab.cli.bench;

import dev.ipclab.cli.bench.BenchReport.Result;
import dev.ipclab.cli.bench.BenchReport.SpawnMs;
import dev.ipclab.cli.bench.BenchReport.TargetCheck;
import dev.ipclab.cli.bench.BenchReport.WorkerRssMb;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * ipclab's performance targets, checked against one run's numbers. A target whose row was not measured in
 * this run (say {@code --payloads 0}) is left out rather than guessed.
 */
final class Targets {
  static final int PAYLOAD = 100;
  static final double MAX_OVERHEAD = 1.15;
  /**
   * ipclab does all the bare echo does and more, so a ratio far below 1 means the baseline was starved (a spinning
   * echo preempted on a loaded machine), not that ipclab is faster: such a ratio proves nothing either way.
   */
  static final double MIN_CREDIBLE_RATIO = 0.8;
  static final double SPIN_P50_US = 10;
  static final double SHM_SPIN_P50_US = 1;
  static final double MIN_MSGS_PER_S = 3_000_000;
  static final double SPAWN_P50_MS = 60;
  static final double IDLE_RSS_MB = 45;
  /** A crashed worker's slot with a warm spare: no JVM start on the path, only the exit's detection. */
  static final double CRASH_TO_SPARE_READY_P50_MS = 10;

  private Targets() {}

  static List<TargetCheck> check(List<Result> results, SpawnMs spawn, WorkerRssMb rss,
      BenchReport.CrashToReadyMs crash, MachineFacts machine) {
    String where = machine.pinned() ? "pinned" : "unpinned";
    List<TargetCheck> checks = new ArrayList<>();
    for (Result r : results) {
      if (r.payloadBytes() != PAYLOAD) {
        continue;
      }
      String row = r.transport() + "/" + r.idle() + " " + PAYLOAD + " B";
      if (r.ratio() != null && List.of("pipe", "uds", "tcp").contains(r.transport())) {
        String name = "RTT p50 / bare-JDK p50, " + row + ", " + where;
        checks.add(r.ratio() < MIN_CREDIBLE_RATIO
            ? new TargetCheck(name, "<= " + num(MAX_OVERHEAD) + " x", num(r.ratio()) + " x", null,
                "cannot tell: the bare-JDK echo (p50 " + num(r.baselineRttUs().p50()) + " us) was slower than"
                    + " ipclab (" + num(r.rttUs().p50()) + " us) over the same channel, so the machine set the"
                    + " numbers; run again on a quiet machine")
            : atMost(name, MAX_OVERHEAD, r.ratio(), "x"));
      }
      if (r.idle().equals("spin") && List.of("pipe", "uds").contains(r.transport())) {
        checks.add(betweenCores(machine, "spin RTT p50, " + row + ", " + where, SPIN_P50_US, r.rttUs().p50()));
      }
      if (r.idle().equals("spin") && r.transport().equals("shm")) {
        checks.add(betweenCores(machine, "shm spin RTT p50, " + row + ", " + where, SHM_SPIN_P50_US,
            r.rttUs().p50()));
      }
      if (List.of("pipe", "uds").contains(r.transport())) {
        checks.add(atLeast("one-way throughput, " + row, MIN_MSGS_PER_S, r.throughput().msgsPerS(), "msg/s"));
      }
    }
    if (spawn != null) {
      checks.add(atMost("worker spawn-to-ready p50 (" + spawn.transport() + ", " + spawn.spawns() + " spawns)",
          SPAWN_P50_MS, spawn.p50(), "ms"));
    }
    if (rss != null) {
      checks.add(atMost("idle worker RSS", IDLE_RSS_MB, rss.idle(), "MB"));
    }
    if (crash != null) {
      checks.add(atMost("crash to replacement READY p50 with a spare (" + crash.transport() + ", " + crash.crashes()
          + " kills; without a spare p50 " + num(crash.noSpareP50()) + " ms)", CRASH_TO_SPARE_READY_P50_MS,
          crash.spareP50(), "ms"));
    }
    return checks;
  }

  /** One task through the pool, one at a time: its p50 against a ping's p50 to the same worker. */
  static final double MAX_TASK_VS_PING = 1.3;
  /** Batched tasks ({@code map}) against the same tasks submitted one by one. */
  static final double MIN_MAP_VS_SUBMIT = 10;

  /** The pool's targets, from its phase of the run; none if it did not run. */
  static List<TargetCheck> pool(BenchReport.PoolTasks p) {
    if (p == null) {
      return List.of();
    }
    String where = p.transport() + ", " + p.workers() + " workers, " + p.payloadBytes() + " B echo";
    return List.of(
        atMost("one task p50 / ping p50 (task " + num(p.taskRttUs().p50()) + " us, ping "
            + num(p.pingRttUs().p50()) + " us), " + where, MAX_TASK_VS_PING, p.taskVsPingP50(), "x"),
        atLeast("map tasks/s / submit tasks/s (map " + num(p.mapTasksPerS()) + ", submit "
            + num(p.submitTasksPerS()) + "), " + where, MIN_MAP_VS_SUBMIT, p.mapVsSubmit(), "x"));
  }

  /**
   * A spin-mode latency target, which is set for processes on different cores: on one CPU the two spinners
   * take turns on it, so a pinned run's number says nothing about it.
   */
  private static TargetCheck betweenCores(MachineFacts machine, String name, double limit, double measuredUs) {
    if (machine.cpusAllowed().size() < 2) {
      return new TargetCheck(name, "<= " + num(limit) + " us", num(measuredUs) + " us", null,
          "cannot tell: the target is a round trip between processes on different cores, and this run is pinned"
              + " to one CPU, where the two spinners take turns; run it unpinned on a machine with 2 free cores");
    }
    return atMost(name, limit, measuredUs, "us");
  }

  static TargetCheck atMost(String name, double limit, double measured, String unit) {
    boolean holds = measured <= limit;
    return new TargetCheck(name, "<= " + num(limit) + " " + unit, num(measured) + " " + unit, holds,
        holds ? null : String.format(Locale.ROOT, "%s %s over, %.2fx the bound", num(measured - limit), unit,
            measured / limit));
  }

  static TargetCheck atLeast(String name, double limit, double measured, String unit) {
    boolean holds = measured >= limit;
    return new TargetCheck(name, ">= " + num(limit) + " " + unit, num(measured) + " " + unit, holds,
        holds ? null : String.format(Locale.ROOT, "%s %s short, %.2fx below the bound", num(limit - measured),
            unit, measured <= 0 ? Double.POSITIVE_INFINITY : limit / measured));
  }

  /** Whole numbers with thousands separators from 1,000 up; three significant digits below. */
  static String num(double v) {
    if (Math.abs(v) >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
  }
}
