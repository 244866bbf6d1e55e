package dev.ipclab.cli.bench;

import dev.ipclab.cli.bench.BenchReport.Result;
import dev.ipclab.cli.bench.BenchReport.TargetCheck;
import java.io.PrintWriter;
import java.util.Locale;

/** Prints a {@link BenchReport} as a table for people: one row per transport, idle mode and payload, then targets. */
public final class BenchText {
  private static final String ROW = "%-5s %-5s %7s %9s %9s %9s %9s %7s %12s %9s %11s %11s %7s%n";

  private BenchText() {}

  public static void print(BenchReport report, PrintWriter out) {
    MachineFacts m = report.machine();
    out.printf(Locale.ROOT, "ipclab bench%s on %d CPUs, %s; Linux %s; Java %s; load avg %.2f -> %.2f; %.1f s%n",
        report.quick() ? " --quick" : "", m.cpusOnline(), m.placement(), m.kernel(), m.java(), m.loadAvg1mStart(),
        m.loadAvg1mEnd(), report.elapsedS());
    out.printf(Locale.ROOT, ROW, "TRANS", "IDLE", "PAYLOAD", "p50 us", "p99 us", "p99.9 us", "bare p50", "RATIO",
        "msg/s", "MB/s", "CPU us/rt", "bare CPU", "RSS MB");
    for (Result r : report.results()) {
      out.printf(Locale.ROOT, ROW, r.transport(), r.idle(), r.payloadBytes() + " B", Targets.num(r.rttUs().p50()),
          Targets.num(r.rttUs().p99()), Targets.num(r.rttUs().p999()),
          r.baselineRttUs() == null ? "-" : Targets.num(r.baselineRttUs().p50()),
          r.ratio() == null ? "-" : String.format(Locale.ROOT, "%.2fx", r.ratio()),
          String.format(Locale.ROOT, "%,d", Math.round(r.throughput().msgsPerS())),
          Targets.num(r.throughput().mbPerS()),
          cpu(r.cpuUsPerMsg()), r.baselineCpuUsPerMsg() == null ? "-" : cpu(r.baselineCpuUsPerMsg()),
          Targets.num(r.workerRssMb()));
    }
    out.println("RTT: ping to pong, driven from the reading thread; bare: a plain-JDK echo child over the same"
        + " channel and idle mode; RATIO = p50 / bare p50; msg/s and MB/s (payload, 10^6 B): one-way pings;"
        + " CPU us/rt: parent+worker CPU per round trip (= s per 1 M); bare CPU: parent+echo CPU per bare round"
        + " trip");
    out.printf(Locale.ROOT, "spawn to ready (%s, %d spawns): p50 %s ms, p99 %s ms%n", report.spawnMs().transport(),
        report.spawnMs().spawns(), Targets.num(report.spawnMs().p50()), Targets.num(report.spawnMs().p99()));
    if (report.crashToReadyMs() != null) {
      var c = report.crashToReadyMs();
      out.printf(Locale.ROOT, "crash to replacement READY (%s, %d SIGKILLs each): no spare p50 %s ms, p99 %s ms;"
          + " with a spare p50 %s ms, p99 %s ms%n", c.transport(), c.crashes(), Targets.num(c.noSpareP50()),
          Targets.num(c.noSpareP99()), Targets.num(c.spareP50()), Targets.num(c.spareP99()));
    }
    if (report.poolTasks() != null) {
      var p = report.poolTasks();
      out.printf(Locale.ROOT, "pool tasks (%s, %d workers, %d B echo): submit one by one %s tasks/s, map (%d per"
          + " call) %s tasks/s = %sx; one task at a time p50 %s us, ping p50 %s us = %sx%n", p.transport(),
          p.workers(), p.payloadBytes(), Targets.num(p.submitTasksPerS()), p.mapBatch(),
          Targets.num(p.mapTasksPerS()), Targets.num(p.mapVsSubmit()), Targets.num(p.taskRttUs().p50()),
          Targets.num(p.pingRttUs().p50()), Targets.num(p.taskVsPingP50()));
    }
    out.printf(Locale.ROOT, "worker RSS: idle %s MB (median, 300 ms after ready), loaded %s MB (largest after a"
        + " row)%n", Targets.num(report.workerRssMb().idle()), Targets.num(report.workerRssMb().loaded()));
    anchors(report, out);
    long met = report.targets().stream().filter(t -> Boolean.TRUE.equals(t.holds())).count();
    long unknown = report.targets().stream().filter(t -> t.holds() == null).count();
    out.printf(Locale.ROOT, "targets: %d of %d hold, %d miss, %d cannot tell%n", met,
        report.targets().size(), report.targets().size() - met - unknown, unknown);
    for (TargetCheck t : report.targets()) {
      String verdict = t.holds() == null ? "?    " : t.holds() ? "holds" : "MISS ";
      out.printf(Locale.ROOT, "  %s %s: %s%s, target %s%s%n", verdict, t.name(), t.anchorName() == null ? ""
          : "ipclab / " + t.anchorName() + " = ", t.measured(), t.expected(),
          Boolean.TRUE.equals(t.holds()) ? "" : " (" + t.miss() + ")");
    }
    out.flush();
  }

  /** The bare-JDK anchors and the pool's memory, each an absolute figure of this machine. */
  private static void anchors(BenchReport report, PrintWriter out) {
    MachineFacts m = report.machine();
    out.printf(Locale.ROOT, "absolute figures are this machine's (%d CPUs, %s, Linux %s, load avg %.2f -> %.2f);"
        + " the targets are ratios to these bare-JDK anchors from the same run:%n", m.cpusOnline(), m.placement(),
        m.kernel(), m.loadAvg1mStart(), m.loadAvg1mEnd());
    Anchors a = report.anchors();
    Anchors.BareJvm jvm = a.bareJvm();
    out.printf(Locale.ROOT, "  bare JVM (a worker's java and flags, BareEcho on a pipe): spawn to first echo p50 %s"
        + " ms, p99 %s ms (%d spawns); idle RSS %s MB, PSS %s MB (median of %d alive at once)%n",
        Targets.num(jvm.spawnToFirstEchoP50Ms()), Targets.num(jvm.spawnToFirstEchoP99Ms()), jvm.spawns(),
        Targets.num(jvm.idleRssMb()), Targets.num(jvm.idlePssMb()), jvm.idle());
    if (a.shmSpinEchoRttUs() != null) {
      out.printf(Locale.ROOT, "  bare-JDK shm spin echo (mapped file in /dev/shm), %d B: p50 %s us, p99 %s us%n",
          Targets.PAYLOAD, Targets.num(a.shmSpinEchoRttUs().p50()), Targets.num(a.shmSpinEchoRttUs().p99()));
    }
    if (a.bufferedStream() != null) {
      out.printf(Locale.ROOT, "  bare-JDK buffered one-way stream (pipe, %d B): %s msg/s, %s MB/s%n",
          a.bufferedStream().payloadBytes(), String.format(Locale.ROOT, "%,d",
              Math.round(a.bufferedStream().msgsPerS())), Targets.num(a.bufferedStream().mbPerS()));
    }
    Anchors.PoolMemory pm = report.poolMemory();
    if (pm != null) {
      out.printf(Locale.ROOT, "memory per process, %d idle %s workers in one pool: RSS %s MB, PSS %s MB; %d bare"
          + " JVMs alive at once: RSS %s MB, PSS %s MB (medians)%n", pm.workers().size(), pm.transport(),
          Targets.num(pm.workerRssMb()), Targets.num(pm.workerPssMb()), pm.bareJvms().size(),
          Targets.num(pm.bareRssMb()), Targets.num(pm.barePssMb()));
      out.println("  RSS counts every shared page (libjvm.so, a shared AOT cache) in full in each process; PSS"
          + " divides each shared page among the processes that map it, so PSS adds up to what they use.");
    }
  }

  private static String cpu(BenchReport.CpuPerMsg cpu) {
    return Targets.num(cpu.parent()) + "+" + Targets.num(cpu.worker());
  }
}
