package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import com.google.protobuf.ByteString;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.proto.v1.WorkerStatus;
import dev.ipclab.transport.TransportKind;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code ipclab bench} as a user runs it, on a tiny configuration: the JSON has every documented figure, the
 * numbers are sane (no speeds asserted: the machine is shared), and every worker and echo it started is gone.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class BenchIT {
  private static final Pattern PID = Pattern.compile("(?:worker|echo) pid (\\d+)");

  @Test
  void quickJsonReportsEveryFigureAndAnchorForPipeAndUds() throws Exception {
    // shm is left out to keep this test's time: its rows and its anchor add half again to the run
    try (ParentCli cli = ParentCli.start("bench", "--quick", "--transport", "pipe,uds", "--payloads", "100",
        "--spawns", "3", "--json")) {
      assertThat(cli.waitFor(200)).as(cli.stderr()).isZero();
      JsonNode json = new ObjectMapper().readTree(cli.stdout()); // stdout is the JSON alone

      JsonNode results = json.get("results");
      Set<String> rows = new TreeSet<>();
      for (JsonNode r : results) {
        String row = r.get("transport").asText() + "/" + r.get("idle").asText();
        rows.add(row);
        assertThat(r.get("payload_bytes").asInt()).isEqualTo(100);
        assertThat(r.get("round_trips").asLong()).as(row).isPositive();
        assertOrdered(r.get("rtt_us"), row);
        assertOrdered(r.get("baseline_rtt_us"), row + " baseline");
        assertThat(r.get("baseline_round_trips").asLong()).as(row).isPositive();
        assertThat(r.get("ratio").asDouble()).as(row + " ratio is p50 / baseline p50").isCloseTo(
            r.get("rtt_us").get("p50").asDouble() / r.get("baseline_rtt_us").get("p50").asDouble(),
            org.assertj.core.api.Assertions.within(0.01));
        assertThat(r.get("baseline_cpu_us_per_msg").get("worker").asDouble()).as(row + " echo CPU")
            .isNotNegative();
        JsonNode throughput = r.get("throughput");
        assertThat(throughput.get("messages").asLong()).as(row).isPositive();
        assertThat(throughput.get("msgs_per_s").asDouble()).as(row).isPositive();
        // 100 payload bytes per message: MB/s follows from msg/s
        assertThat(throughput.get("mb_per_s").asDouble()).as(row).isCloseTo(
            throughput.get("msgs_per_s").asDouble() * 100 / 1e6, org.assertj.core.api.Assertions.within(0.1));
        assertThat(r.get("cpu_us_per_msg").get("parent").asDouble()).as(row).isNotNegative();
        assertThat(r.get("cpu_us_per_msg").get("worker").asDouble()).as(row).isNotNegative();
        assertThat(r.get("worker_rss_mb").asDouble()).as(row).isGreaterThan(5);
        // Every JVM compiles something while it warms up; a warm-up that saw no compiler time measured nothing.
        JsonNode warmup = r.get("warmup");
        assertThat(warmup.get("seconds").asDouble()).as(row).isPositive();
        assertThat(warmup.get("jit_quiet").isBoolean()).as(row).isTrue();
        assertThat(warmup.get("compiler_cpu_ms").asLong()).as(row + " warm-up compiler time").isPositive();
      }
      assertThat(rows).containsExactly("pipe/block", "pipe/spin", "uds/block", "uds/spin");

      JsonNode spawn = json.get("spawn_ms");
      assertThat(spawn.get("spawns").asInt()).isEqualTo(3);
      assertThat(spawn.get("p50").asDouble()).isPositive().isLessThanOrEqualTo(spawn.get("p99").asDouble());
      JsonNode rss = json.get("worker_rss_mb");
      assertThat(rss.get("idle").asDouble()).isGreaterThan(5).isLessThanOrEqualTo(rss.get("loaded").asDouble());

      JsonNode machine = json.get("machine");
      assertThat(machine.get("cpus_online").asInt()).isEqualTo(onlineCpus());
      assertThat(machine.get("pinned").asBoolean()).isEqualTo(
          machine.get("cpus_allowed").size() < machine.get("cpus_online").asInt());
      assertThat(machine.get("kernel").asText()).isEqualTo(Files.readString(Path.of("/proc/sys/kernel/osrelease"))
          .trim());
      JsonNode crash = json.get("crash_to_ready_ms");
      assertThat(crash.get("crashes").asInt()).isEqualTo(3);
      assertThat(crash.get("spare_p50").asDouble()).isPositive().isLessThanOrEqualTo(crash.get("spare_p99").asDouble());
      assertThat(crash.get("no_spare_p50").asDouble()).isPositive()
          .isLessThanOrEqualTo(crash.get("no_spare_p99").asDouble());
      assertAnchorsMeasured(json.get("anchors"), json.get("pool_memory"));
      JsonNode targets = json.get("targets");
      assertThat(targets.size())
          .as("RTT / bare echo x4, spin / block x2, one way x4, spawn, RSS, crash, pool task/ping, pool map/submit")
          .isEqualTo(15);
      Set<Double> ratios = new TreeSet<>();
      for (JsonNode t : targets) {
        String name = t.get("name").asText();
        assertThat(t.get("ipclab").isNumber()).as(name + " ipclab").isTrue();
        assertThat(t.get("ipclab").asDouble()).as(name + " ipclab").isPositive();
        if (t.get("ratio").isNull()) { // the one absolute target
          assertThat(name).startsWith("crash to replacement READY");
          assertThat(t.get("anchor").isNull()).as(name).isTrue();
          continue;
        }
        assertThat(t.get("anchor").isNumber()).as(name + " anchor").isTrue();
        assertThat(t.get("anchor").asDouble()).as(name + " anchor").isPositive();
        assertThat(t.get("anchor_name").asText()).as(name).isNotBlank();
        assertThat(t.get("ratio").asDouble()).as(name + ": ratio = ipclab / anchor").isCloseTo(
            t.get("ipclab").asDouble() / t.get("anchor").asDouble(), org.assertj.core.api.Assertions.within(6e-4));
        assertThat(t.get("measured").asText()).as(name).contains(String.format(java.util.Locale.ROOT, "%.3fx",
            t.get("ratio").asDouble()));
        ratios.add(t.get("ratio").asDouble());
      }
      assertThat(ratios).as("ratios of measured figures, not one constant").hasSizeGreaterThan(3);
      JsonNode pool = json.get("pool_tasks");
      for (String field : List.of("submit_tasks_per_s", "map_tasks_per_s", "map_vs_submit", "task_vs_ping_p50")) {
        assertThat(pool.path(field).asDouble()).as("pool_tasks." + field).isPositive();
      }
      // Both sides of map's ratio come from this run: its tasks/s over one-by-one submit's, as the target says.
      assertThat(pool.path("map_vs_submit").asDouble()).as("pool_tasks.map_vs_submit = map / submit").isCloseTo(
          pool.path("map_tasks_per_s").asDouble() / pool.path("submit_tasks_per_s").asDouble(),
          org.assertj.core.api.Assertions.within(0.006));
      JsonNode mapTarget = null;
      for (JsonNode t : targets) {
        if (t.get("name").asText().startsWith("batched map")) {
          mapTarget = t;
        }
      }
      assertThat(mapTarget).as("the batched map target").isNotNull();
      assertThat(mapTarget.get("ipclab").asDouble()).isEqualTo(pool.path("map_tasks_per_s").asDouble());
      assertThat(mapTarget.get("anchor").asDouble()).isEqualTo(pool.path("submit_tasks_per_s").asDouble());
      assertThat(pool.path("task_rtt_us").path("p50").asDouble()).as("pool_tasks.task_rtt_us.p50").isPositive();
      assertThat(pool.path("ping_rtt_us").path("p50").asDouble()).as("pool_tasks.ping_rtt_us.p50").isPositive();

      // A pong answering a one-way ping (request_id 0) would be logged as not in flight.
      assertThat(cli.stderr()).contains("[ 4/4]").doesNotContain("not in flight");
      List<Long> children = new ArrayList<>();
      Matcher m = PID.matcher(cli.stderr());
      while (m.find()) {
        children.add(Long.parseLong(m.group(1)));
      }
      assertThat(children).as("the workers and bare-JDK echoes named in the progress").hasSize(8);
      assertThat(children).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
          .as("pid " + pid + " after the bench").isEmpty());
      assertThat(leftoverDirectories(cli.pid())).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(value = TransportKind.class, names = {"PIPE", "UDS"})
  void oneWayPingsAreReadAndCountedButNeverAnswered(TransportKind transport) throws Exception {
    try (WorkerPool pool = Pools.builder(transport, 1).start()) {
      PoolWorker c = pool.workers().get(0);
      WorkerStatus before = c.status(Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
      ByteString payload = ByteString.copyFrom(new byte[100]);
      c.sendOneWayPings(payload, 1000);
      assertThat(c.ping(ByteString.EMPTY).get(30, TimeUnit.SECONDS)).isNotNull(); // after all 1000, in order
      WorkerStatus after = c.status(Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
      assertThat(after.getFramesReceived() - before.getFramesReceived()).as("one-way pings read by the worker")
          .isGreaterThanOrEqualTo(1000 + 1 + 1);
      assertThat(after.getPingsAnswered() - before.getPingsAnswered()).as("only the closing ping is answered")
          .isEqualTo(1);
      assertThat(c.traffic().inFlight()).isZero();
    }
  }

  /** Every anchor was measured in this run: positive figures, from as many processes as asked for. */
  private static void assertAnchorsMeasured(JsonNode anchors, JsonNode memory) {
    JsonNode jvm = anchors.get("bare_jvm");
    assertThat(jvm.get("spawns").asInt()).isEqualTo(3);
    assertThat(jvm.get("spawn_to_first_echo_p50_ms").asDouble()).isPositive()
        .isLessThanOrEqualTo(jvm.get("spawn_to_first_echo_p99_ms").asDouble());
    assertThat(jvm.get("idle_rss_mb").asDouble()).as("bare JVM RSS").isGreaterThan(5);
    assertThat(jvm.get("idle_pss_mb").asDouble()).as("bare JVM PSS").isPositive()
        .isLessThanOrEqualTo(jvm.get("idle_rss_mb").asDouble());
    assertThat(jvm.get("idle").asInt()).isEqualTo(4);
    assertThat(anchors.get("shm_spin_echo_rtt_us").isNull()).as("no shm row in this run").isTrue();
    JsonNode stream = anchors.get("buffered_stream");
    assertThat(stream.get("payload_bytes").asInt()).isEqualTo(100);
    assertThat(stream.get("messages").asLong()).isPositive();
    assertThat(stream.get("msgs_per_s").asDouble()).isPositive();
    assertThat(stream.get("mb_per_s").asDouble()).isCloseTo(stream.get("msgs_per_s").asDouble() * 100 / 1e6,
        org.assertj.core.api.Assertions.within(0.1));

    assertThat(memory.get("transport").asText()).isEqualTo("pipe");
    for (String side : List.of("workers", "bare_jvms")) {
      assertThat(memory.get(side).size()).as(side).isEqualTo(4);
      Set<Long> pids = new TreeSet<>();
      for (JsonNode p : memory.get(side)) {
        pids.add(p.get("pid").asLong());
        assertThat(p.get("rss_mb").asDouble()).as(side + " RSS").isGreaterThan(5);
        // Pss divides the shared pages among the four, so it is below Rss.
        assertThat(p.get("pss_mb").asDouble()).as(side + " PSS").isPositive()
            .isLessThan(p.get("rss_mb").asDouble());
        assertThat(ProcessHandle.of(p.get("pid").asLong()).filter(ProcessHandle::isAlive)).as(side + " gone")
            .isEmpty();
      }
      assertThat(pids).as(side + ": four processes").hasSize(4);
    }
    assertThat(memory.get("bare_rss_mb").asDouble()).isEqualTo(jvm.get("idle_rss_mb").asDouble());
  }

  private static void assertOrdered(JsonNode p, String what) {
    assertThat(p.get("p50").asDouble()).as(what + " p50").isPositive();
    assertThat(p.get("p50").asDouble()).as(what).isLessThanOrEqualTo(p.get("p90").asDouble());
    assertThat(p.get("p90").asDouble()).as(what).isLessThanOrEqualTo(p.get("p99").asDouble());
    assertThat(p.get("p99").asDouble()).as(what).isLessThanOrEqualTo(p.get("p999").asDouble());
  }

  private static int onlineCpus() throws Exception {
    String online = Files.readString(Path.of("/sys/devices/system/cpu/online")).trim();
    int n = 0;
    for (String part : online.split(",")) {
      String[] range = part.split("-");
      n += range.length == 1 ? 1 : Integer.parseInt(range[1]) - Integer.parseInt(range[0]) + 1;
    }
    return n;
  }

  /** The CLI's run directories, bench socket directories and shm echo files, which it must remove. */
  private static List<Path> leftoverDirectories(long cliPid) throws Exception {
    List<Path> left = new ArrayList<>();
    for (Path dir : List.of(Path.of(System.getProperty("java.io.tmpdir")), Path.of("/dev/shm"))) {
      try (Stream<Path> list = Files.list(dir)) {
        list.filter(p -> p.getFileName().toString().startsWith("ipclab-" + cliPid + "-")
            || p.getFileName().toString().startsWith("ipclab-bench-" + cliPid + "-")).forEach(left::add);
      }
    }
    return left;
  }
}
