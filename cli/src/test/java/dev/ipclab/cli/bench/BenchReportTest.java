package dev.ipclab.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipclab.cli.bench.BenchReport.CpuPerMsg;
import dev.ipclab.cli.bench.BenchReport.Result;
import dev.ipclab.cli.bench.BenchReport.SpawnMs;
import dev.ipclab.cli.bench.BenchReport.TargetCheck;
import dev.ipclab.cli.bench.BenchReport.Throughput;
import dev.ipclab.cli.bench.BenchReport.WorkerRssMb;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON field names, the table, and the targets computed from the numbers. */
class BenchReportTest {
  private static final MachineFacts UNPINNED = new MachineFacts(2, List.of(0, 1), false, "6.1", "25", 0.5, 0.7);
  private static final MachineFacts PINNED = new MachineFacts(2, List.of(0), true, "6.1", "25", 0.5, 0.7);

  private static Result row(String transport, String idle, int payload, double p50, Double baselineP50,
      double msgsPerS) {
    Percentiles base = baselineP50 == null ? null : new Percentiles(baselineP50, 50, 60, 70);
    return new Result(transport, idle, payload, 5000, new Percentiles(p50, p50 * 1.2, p50 * 2, p50 * 3), base,
        base == null ? null : 4000L, Percentiles.ratio(p50, base),
        new Throughput(100_000, msgsPerS, msgsPerS * payload / 1e6, new CpuPerMsg(1.5, 2.5)),
        new CpuPerMsg(20, 30), base == null ? null : new CpuPerMsg(15, 25), 52.5,
        new BenchReport.Warmup(0.4, true, 120));
  }

  private static BenchReport report(MachineFacts machine, List<Result> results) {
    SpawnMs spawn = new SpawnMs("pipe", 20, 55, 90);
    WorkerRssMb rss = new WorkerRssMb(48, 60);
    BenchReport.CrashToReadyMs crash = new BenchReport.CrashToReadyMs("pipe", 3, 120.5, 140.2, 1.5, 2.5);
    Anchors.PoolMemory memory = new Anchors.PoolMemory("pipe", List.of(new Anchors.ProcMemory(11, 52, 30)),
        List.of(new Anchors.ProcMemory(12, 40, 20)), 52, 30, 40, 20);
    Anchors anchors = new Anchors(new Anchors.BareJvm(20, 50, 70, 40, 20, 1), null,
        new Anchors.BufferedStream(100, 1_000_000, 5_000_000, 500));
    return new BenchReport(machine, true, results, spawn, rss, crash, anchors, memory,
        Targets.check(results, spawn, rss, crash, anchors, machine), 42, null);
  }

  @Test
  void poolFiguresGoToJsonTextAndTwoTargets() throws Exception {
    BenchReport.PoolTasks pool = new BenchReport.PoolTasks("pipe", 2, 100, 40_000, 40_000, 800_000, 400_000,
        1024, 10, new Percentiles(25, 30, 40, 50), new Percentiles(20, 25, 30, 40), 1.25);
    BenchReport plain = report(UNPINNED, List.of(row("pipe", "block", 100, 46, 44.0, 250_000)));
    BenchReport report = new BenchReport(plain.machine(), true, plain.results(), plain.spawnMs(),
        plain.workerRssMb(), plain.crashToReadyMs(), plain.anchors(), plain.poolMemory(), Targets.pool(pool), 42,
        pool);
    JsonNode json = new ObjectMapper().readTree(BenchJson.write(report)).path("pool_tasks");
    assertThat(json.path("submit_tasks_per_s").asDouble()).isEqualTo(40_000);
    assertThat(json.path("map_tasks_per_s").asDouble()).isEqualTo(400_000);
    assertThat(json.path("map_vs_submit").asDouble()).isEqualTo(10);
    assertThat(json.path("task_rtt_us").path("p50").asDouble()).isEqualTo(25);
    assertThat(json.path("ping_rtt_us").path("p50").asDouble()).isEqualTo(20);
    assertThat(json.path("task_vs_ping_p50").asDouble()).isEqualTo(1.25);
    assertThat(report.targets()).extracting(TargetCheck::holds).containsExactly(true, true);
    assertThat(report.targets().get(0).ipclab()).isEqualTo(25);
    assertThat(report.targets().get(0).anchor()).isEqualTo(20);
    java.io.StringWriter text = new java.io.StringWriter();
    BenchText.print(report, new java.io.PrintWriter(text));
    assertThat(text.toString()).contains("submit one by one 40,000 tasks/s", "= 10x", "ping p50 20 us = 1.25x");
  }

  @Test
  void jsonCarriesTheDocumentedFields() throws Exception {
    BenchReport report = report(UNPINNED, List.of(row("pipe", "block", 100, 46, 44.0, 250_000),
        row("shm", "spin", 100, 0.9, null, 9_000_000)));
    JsonNode json = new ObjectMapper().readTree(BenchJson.write(report));

    JsonNode first = json.path("results").path(0);
    assertThat(first.path("transport").asText()).isEqualTo("pipe");
    assertThat(first.path("idle").asText()).isEqualTo("block");
    assertThat(first.path("payload_bytes").asInt()).isEqualTo(100);
    for (String p : List.of("p50", "p90", "p99", "p999")) {
      assertThat(first.path("rtt_us").path(p).isNumber()).as("rtt_us." + p).isTrue();
    }
    assertThat(first.path("rtt_us").path("p50").asDouble()).isEqualTo(46.0);
    assertThat(first.path("baseline_rtt_us").path("p50").asDouble()).isEqualTo(44.0);
    assertThat(first.path("ratio").asDouble()).isEqualTo(1.05);
    assertThat(first.path("throughput").path("msgs_per_s").asDouble()).isEqualTo(250_000);
    assertThat(first.path("throughput").path("mb_per_s").asDouble()).isEqualTo(25.0);
    assertThat(first.path("cpu_us_per_msg").path("parent").asDouble()).isEqualTo(20);
    assertThat(first.path("cpu_us_per_msg").path("worker").asDouble()).isEqualTo(30);
    assertThat(first.path("baseline_cpu_us_per_msg").path("worker").asDouble()).isEqualTo(25);
    assertThat(json.path("results").path(1).path("baseline_rtt_us").isNull()).isTrue();
    assertThat(json.path("results").path(1).path("ratio").isNull()).isTrue();
    assertThat(json.path("spawn_ms").path("p50").asDouble()).isEqualTo(55);
    assertThat(json.path("spawn_ms").path("p99").asDouble()).isEqualTo(90);
    assertThat(json.path("worker_rss_mb").path("idle").asDouble()).isEqualTo(48);
    assertThat(json.path("worker_rss_mb").path("loaded").asDouble()).isEqualTo(60);
    assertThat(json.path("machine").path("pinned").asBoolean()).isFalse();
    assertThat(json.path("machine").path("cpus_allowed").size()).isEqualTo(2);
    assertThat(json.path("targets").isArray()).isTrue();
  }

  @Test
  void targetsAreRatiosToTheAnchorsWithTheirPlacement() {
    BenchReport report = report(PINNED, List.of(
        row("pipe", "block", 100, 46, 44.0, 250_000),   // ratio 1.045 holds, throughput misses
        row("uds", "spin", 100, 12, 8.0, 4_500_000),    // spin untold on 1 CPU, throughput holds
        row("tcp", "block", 4096, 99, 10.0, 1)));       // not 100 B: no target
    List<TargetCheck> t = report.targets();
    assertThat(t).extracting(TargetCheck::name).containsExactly(
        "RTT p50 / bare-JDK echo p50, pipe/block 100 B, pinned",
        "RTT p50 / bare-JDK echo p50, uds/spin 100 B, pinned",
        "one-way msg/s / bare-JDK buffered stream, pipe/block 100 B",
        "one-way msg/s / bare-JDK buffered stream, uds/spin 100 B",
        "worker spawn-to-ready p50 / bare JVM spawn-to-first-echo p50 (pipe, 20 spawns each)",
        "idle worker RSS / idle bare JVM RSS",
        "crash to replacement READY p50 with a spare (pipe, 3 kills; without a spare p50 121 ms), absolute");
    assertThat(t).extracting(TargetCheck::holds).containsExactly(true, null, false, true, true, true, true);
    assertThat(t).extracting(TargetCheck::ratio).containsExactly(1.045, 1.5, 0.05, 0.9, 1.1, 1.2, null);
    assertThat(t.get(0).ipclab()).isEqualTo(46);
    assertThat(t.get(0).anchor()).isEqualTo(44);
    assertThat(t.get(0).measured()).isEqualTo("46 us / 44 us = 1.045x");
    assertThat(t.get(2).miss()).isEqualTo("0.750x short of the bound");
    assertThat(t.get(1).miss()).startsWith("cannot tell: the target is a round trip between processes on different"
        + " cores");
    assertThat(t.get(6).anchor()).isNull();
  }

  @Test
  void spinIsCheckedAgainstTheBareSpinEchoAndTheBlockingRow() {
    BenchReport report = report(UNPINNED, List.of(row("uds", "block", 100, 10, 9.0, 3_500_000),
        row("uds", "spin", 100, 12, 8.0, 3_500_000), row("shm", "spin", 100, 0.8, 0.5, 5_000_000)));
    assertThat(report.targets()).filteredOn(t -> t.name().contains("RTT"))
        .extracting(TargetCheck::name, TargetCheck::holds, TargetCheck::ratio)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("RTT p50 / bare-JDK echo p50, uds/block 100 B, unpinned", false,
                1.111),
            org.assertj.core.groups.Tuple.tuple("RTT p50, spin / block, uds 100 B, unpinned", false, 1.2),
            org.assertj.core.groups.Tuple.tuple("RTT p50 / bare-JDK echo p50, uds/spin 100 B, unpinned", false,
                1.5),
            org.assertj.core.groups.Tuple.tuple("RTT p50 / bare-JDK shm spin echo p50, shm/spin 100 B, unpinned",
                true, 1.6));
  }

  @Test
  void aBaselineSlowerThanIpclabIsNoEvidenceEitherWay() {
    BenchReport report = report(UNPINNED, List.of(row("pipe", "spin", 100, 9.8, 9840.0, 1)));
    TargetCheck ratio = report.targets().get(0);
    assertThat(ratio.holds()).isNull();
    assertThat(ratio.miss()).contains("cannot tell").contains("9,840 us");
  }

  @Test
  void tableHasOneRowPerResultAndTheTargetsVerdicts() {
    BenchReport report = report(UNPINNED, List.of(row("pipe", "block", 100, 46, 44.0, 250_000),
        row("uds", "block", 0, 50, 40.0, 300_000)));
    StringWriter text = new StringWriter();
    BenchText.print(report, new PrintWriter(text));
    String out = text.toString();
    assertThat(out).contains("unpinned (CPUs 0,1 of 2)");
    assertThat(out.lines().filter(l -> l.startsWith("pipe ") || l.startsWith("uds "))).hasSize(2);
    assertThat(out).contains("1.05x").contains("250,000").contains("spawn to ready (pipe, 20 spawns): p50 55 ms");
    assertThat(out).contains("targets: 4 of 5 hold, 1 miss, 0 cannot tell");
    assertThat(out).contains("crash to replacement READY (pipe, 3 SIGKILLs each): no spare p50 121 ms");
    assertThat(out).contains("holds idle worker RSS / idle bare JVM RSS: ipclab / idle bare JVM RSS = 48 MB / 40 MB"
        + " = 1.200x, target <= 1.2x");
    assertThat(out).contains("bare JVM (a worker's java and flags, BareEcho on a pipe): spawn to first echo p50 50 ms");
    assertThat(out).contains("PSS divides each shared page");
  }
}
