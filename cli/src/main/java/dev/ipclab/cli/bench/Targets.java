package dev.ipclab.cli.bench;

import dev.ipclab.cli.bench.BenchReport.Result;
import dev.ipclab.cli.bench.BenchReport.SpawnMs;
import dev.ipclab.cli.bench.BenchReport.TargetCheck;
import dev.ipclab.cli.bench.BenchReport.WorkerRssMb;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * ipclab's performance targets, checked against one run's numbers. Every target but one is a ratio of an ipclab
 * figure to a bare-JDK anchor measured in the same run ({@link Anchors}), so a loaded or slower machine moves
 * both sides; only the crash-to-spare target is absolute. A target whose row or anchor was not measured in this
 * run (say {@code --payloads 0}) is left out rather than guessed.
 */
final class Targets {
  static final int PAYLOAD = 100;
  /** Blocking round trip p50 over the bare-JDK echo's, pipe, uds and tcp. */
  static final double BLOCK_RTT_MAX_RATIO = 1.10;
  /** Spinning round trip p50 over the bare-JDK spinning echo's, pipe, uds and tcp. */
  static final double SPIN_RTT_MAX_RATIO = 1.2;
  /** Spinning round trip p50 over the blocking one of the same transport and payload: spinning must not lose. */
  static final double SPIN_OVER_BLOCK_MAX_RATIO = 1.0;
  /** shm spinning round trip p50 over the bare-JDK shm spin echo's. */
  static final double SHM_SPIN_MAX_RATIO = 2.0;
  /** One-way msg/s over the bare-JDK buffered stream's. */
  static final double ONE_WAY_MIN_RATIO = 0.8;
  /** Worker spawn-to-ready p50 over a bare child JVM's spawn to first echo. */
  static final double SPAWN_MAX_RATIO = 1.3;
  /** Idle worker RSS over an idle bare child JVM's. */
  static final double IDLE_RSS_MAX_RATIO = 1.2;
  /**
   * ipclab does all the bare echo does and more, so a ratio far below 1 means the baseline was starved (a spinning
   * echo preempted on a loaded machine), not that ipclab is faster: such a ratio proves nothing either way.
   */
  static final double MIN_CREDIBLE_RATIO = 0.8;
  /** A crashed worker's slot with a warm spare: no JVM start on the path, only the exit's detection. Absolute. */
  static final double CRASH_TO_SPARE_READY_P50_MS = 10;

  private Targets() {}

  static List<TargetCheck> check(List<Result> results, SpawnMs spawn, WorkerRssMb rss,
      BenchReport.CrashToReadyMs crash, Anchors anchors, MachineFacts machine) {
    String where = machine.pinned() ? "pinned" : "unpinned";
    List<TargetCheck> checks = new ArrayList<>();
    for (Result r : results) {
      String row = r.transport() + "/" + r.idle() + " " + r.payloadBytes() + " B";
      boolean socketOrPipe = List.of("pipe", "uds", "tcp").contains(r.transport());
      boolean spin = r.idle().equals("spin");
      if (spin) {
        results.stream().filter(b -> b.idle().equals("block") && b.transport().equals(r.transport())
            && b.payloadBytes() == r.payloadBytes()).findFirst().ifPresent(block -> checks.add(betweenCores(machine,
            atMost("RTT p50, spin / block, " + r.transport() + " " + r.payloadBytes() + " B, " + where,
                r.rttUs().p50(), block.rttUs().p50(), "ipclab block p50", "us", SPIN_OVER_BLOCK_MAX_RATIO))));
      }
      if (r.payloadBytes() != PAYLOAD || r.baselineRttUs() == null) {
        continue;
      }
      if (socketOrPipe) {
        TargetCheck c = atMost("RTT p50 / bare-JDK echo p50, " + row + ", " + where, r.rttUs().p50(),
            r.baselineRttUs().p50(), "bare-JDK " + r.idle() + " echo p50", "us",
            spin ? SPIN_RTT_MAX_RATIO : BLOCK_RTT_MAX_RATIO);
        checks.add(spin ? betweenCores(machine, credible(c)) : credible(c));
      } else if (r.transport().equals("shm") && spin) {
        checks.add(betweenCores(machine, credible(atMost("RTT p50 / bare-JDK shm spin echo p50, " + row + ", "
            + where, r.rttUs().p50(), r.baselineRttUs().p50(), "bare-JDK shm spin echo p50", "us",
            SHM_SPIN_MAX_RATIO))));
      }
    }
    Anchors.BufferedStream stream = anchors.bufferedStream();
    for (Result r : results) {
      if (stream != null && r.payloadBytes() == stream.payloadBytes()
          && List.of("pipe", "uds").contains(r.transport())) {
        checks.add(atLeast("one-way msg/s / bare-JDK buffered stream, " + r.transport() + "/" + r.idle() + " "
            + r.payloadBytes() + " B", r.throughput().msgsPerS(), stream.msgsPerS(),
            "bare-JDK buffered pipe stream", "msg/s", ONE_WAY_MIN_RATIO));
      }
    }
    Anchors.BareJvm bare = anchors.bareJvm();
    if (spawn != null && bare != null) {
      checks.add(atMost("worker spawn-to-ready p50 / bare JVM spawn-to-first-echo p50 (" + spawn.transport() + ", "
          + spawn.spawns() + " spawns each)", spawn.p50(), bare.spawnToFirstEchoP50Ms(),
          "bare JVM spawn to first echo p50", "ms", SPAWN_MAX_RATIO));
    }
    if (rss != null && bare != null) {
      checks.add(atMost("idle worker RSS / idle bare JVM RSS", rss.idle(), bare.idleRssMb(), "idle bare JVM RSS",
          "MB", IDLE_RSS_MAX_RATIO));
    }
    if (crash != null) {
      boolean holds = crash.spareP50() <= CRASH_TO_SPARE_READY_P50_MS;
      checks.add(new TargetCheck("crash to replacement READY p50 with a spare (" + crash.transport() + ", "
          + crash.crashes() + " kills; without a spare p50 " + num(crash.noSpareP50()) + " ms), absolute",
          crash.spareP50(), null, null, "ms", null, "<= " + num(CRASH_TO_SPARE_READY_P50_MS) + " ms",
          num(crash.spareP50()) + " ms", holds, holds ? null : String.format(Locale.ROOT,
              "%s ms over, %.2fx the bound", num(crash.spareP50() - CRASH_TO_SPARE_READY_P50_MS),
              crash.spareP50() / CRASH_TO_SPARE_READY_P50_MS)));
    }
    return checks;
  }

  /** A ratio below {@link #MIN_CREDIBLE_RATIO} says the anchor was starved: the check cannot tell. */
  private static TargetCheck credible(TargetCheck c) {
    if (c.ratio() == null || c.ratio() >= MIN_CREDIBLE_RATIO) {
      return c;
    }
    return c.undecided("cannot tell: the " + c.anchorName() + " (" + num(c.anchor()) + " " + c.unit() + ") was"
        + " slower than ipclab (" + num(c.ipclab()) + " " + c.unit() + ") over the same channel, so the machine"
        + " set the numbers; run again on a quiet machine");
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
        atMost("one task through the pool, p50, " + where, p.taskRttUs().p50(), p.pingRttUs().p50(),
            "ping p50 to the same worker", "us", MAX_TASK_VS_PING),
        atLeast("batched map, tasks/s, " + where, p.mapTasksPerS(), p.submitTasksPerS(),
            "one-by-one submit", "tasks/s", MIN_MAP_VS_SUBMIT));
  }

  /**
   * A spin-mode latency target, which is set for processes on different cores: on one CPU the two spinners
   * take turns on it, so a pinned run's number says nothing about it.
   */
  private static TargetCheck betweenCores(MachineFacts machine, TargetCheck c) {
    if (machine.cpusAllowed().size() >= 2) {
      return c;
    }
    return c.undecided("cannot tell: the target is a round trip between processes on different cores, and this"
        + " run is pinned to one CPU, where the two spinners take turns; run it unpinned with 2 free cores");
  }

  /** {@code ipclab / anchor <= limit}. */
  static TargetCheck atMost(String name, double ipclab, double anchor, String anchorName, String unit,
      double limit) {
    double ratio = ratio(ipclab, anchor);
    boolean holds = ratio <= limit;
    return new TargetCheck(name, ipclab, anchor, anchorName, unit, ratio, "<= " + num(limit) + "x",
        describe(ipclab, anchor, unit, ratio), holds,
        holds ? null : String.format(Locale.ROOT, "%.3fx over the bound", ratio - limit));
  }

  /** {@code ipclab / anchor >= limit}. */
  static TargetCheck atLeast(String name, double ipclab, double anchor, String anchorName, String unit,
      double limit) {
    double ratio = ratio(ipclab, anchor);
    boolean holds = ratio >= limit;
    return new TargetCheck(name, ipclab, anchor, anchorName, unit, ratio, ">= " + num(limit) + "x",
        describe(ipclab, anchor, unit, ratio), holds,
        holds ? null : String.format(Locale.ROOT, "%.3fx short of the bound", limit - ratio));
  }

  /** {@code ipclab / anchor} to 3 decimals, from the very figures reported beside it. */
  static double ratio(double ipclab, double anchor) {
    return anchor > 0 ? Math.round(ipclab / anchor * 1000) / 1000.0 : Double.POSITIVE_INFINITY;
  }

  private static String describe(double ipclab, double anchor, String unit, double ratio) {
    return String.format(Locale.ROOT, "%s %s / %s %s = %.3fx", num(ipclab), unit, num(anchor), unit, ratio);
  }

  /** Whole numbers with thousands separators from 1,000 up; three significant digits below. */
  static String num(double v) {
    if (Math.abs(v) >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
  }
}
