package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The ipclab command line as a user runs it: a real parent JVM, its output, its exit status, its signals. */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CliIT {
  private static final Pattern WORKER_ROW = Pattern.compile("^worker\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\w+)\\s+(\\d+)");

  @Test
  void pingJsonReportsMeasuredRoundTripsOfRealChildProcesses() throws Exception {
    try (ParentCli cli = ParentCli.start("ping", "--workers", "2", "--transport", "pipe", "--count", "2000",
        "--warmup", "200", "--payload", "64", "--json")) {
      assertThat(cli.waitFor(60)).as(cli.stderr()).isZero();
      JsonNode json = new ObjectMapper().readTree(cli.stdout());
      assertThat(json.get("parent_pid").asLong()).isEqualTo(cli.pid());
      assertThat(json.get("transport").asText()).isEqualTo("pipe");
      assertThat(json.get("round_trips").asLong()).isEqualTo(2000);
      assertThat(json.get("payload_bytes").asInt()).isEqualTo(64);
      JsonNode rtt = json.get("rtt_us");
      assertThat(rtt.get("p50").asDouble()).isPositive();
      assertThat(rtt.get("p50").asDouble()).isLessThanOrEqualTo(rtt.get("p90").asDouble());
      assertThat(rtt.get("p90").asDouble()).isLessThanOrEqualTo(rtt.get("p99").asDouble());
      assertThat(rtt.get("p99").asDouble()).isLessThanOrEqualTo(rtt.get("max").asDouble());
      JsonNode workers = json.get("workers");
      assertThat(workers).hasSize(2);
      long total = 0;
      for (JsonNode w : workers) {
        assertThat(w.get("pid").asLong()).isNotEqualTo(cli.pid());
        assertThat(w.get("ppid").asLong()).isEqualTo(cli.pid());
        total += w.get("round_trips").asLong();
      }
      assertThat(total).isEqualTo(2000);
      assertThat(cli.stderr()).contains("[parent pid " + cli.pid() + "]");
    }
  }

  @Test
  void runShowsTheProcessTableAndStopsCleanlyOnCtrlC() throws Exception {
    try (ParentCli cli = ParentCli.start("run", "--workers", "2", "--transport", "uds")) {
      assertThat(cli.awaitLine("Running", 60_000)).as(cli.stderr()).isNotNull();
      String out = cli.stdout();
      assertThat(out).contains("ROLE", "PID", "PPID", "TRANSPORT", "THREADS", "RSS");
      assertThat(out).containsPattern("(?m)^parent\\s+-\\s+" + cli.pid() + "\\s");
      assertThat(out).contains("pstree -p " + cli.pid(), "ss -xp | grep ");
      List<Long> workerPids = new ArrayList<>();
      for (String line : out.split("\n")) {
        Matcher m = WORKER_ROW.matcher(line);
        if (m.find()) {
          workerPids.add(Long.parseLong(m.group(2)));
          assertThat(Long.parseLong(m.group(3))).as("PPID column").isEqualTo(cli.pid());
          assertThat(m.group(4)).isEqualTo("uds");
          assertThat(Integer.parseInt(m.group(5))).as("THREADS column").isGreaterThan(1);
        }
      }
      assertThat(workerPids).containsExactlyInAnyOrderElementsOf(
          cli.process().children().map(ProcessHandle::pid).toList());

      // Ctrl-C in a terminal signals the whole process group: the parent and its workers alike.
      Os.kill("INT", cli.pid());
      for (long pid : workerPids) {
        Os.kill("INT", pid);
      }
      // 130 = 128 + SIGINT: the JVM reports the signal, as shells expect, after the orderly shutdown below.
      assertThat(cli.waitFor(30)).as(cli.stdout() + "\n" + cli.stderr()).isEqualTo(130);
      assertThat(cli.stdout()).contains("Stopping on signal");
      // The transitions are logged even though the JVM is shutting down.
      assertThat(cli.stderr()).contains("READY -> STOPPING", "STOPPING -> EXITED");
      for (long pid : workerPids) {
        assertThat(cli.stdout()).containsPattern("pid " + pid + ": EXITED, exit 0: clean exit");
      }
    }
  }

  @Test
  void sigtermToPingStopsItsWorkersAndRemovesItsRunDirectory() throws Exception {
    try (ParentCli cli = ParentCli.start("ping", "--workers", "2", "--transport", "uds", "--count", "100000000")) {
      assertThat(Os.within(60_000, () -> cli.stderr().lines().filter(l -> l.contains("STARTING -> READY")).count() == 2))
          .as(cli.stderr()).isTrue();
      List<ProcessHandle> workers = cli.process().children().toList();
      Os.kill("TERM", cli.pid());
      assertThat(cli.waitFor(30)).as(cli.stderr()).isEqualTo(143);
      assertThat(cli.stderr()).contains("the JVM is shutting down: stopping the workers", "STOPPING -> EXITED");
      for (ProcessHandle w : workers) {
        assertThat(w.isAlive()).isFalse();
      }
      assertThat(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")).toFile()
          .list((dir, name) -> name.startsWith("ipclab-" + cli.pid() + "-"))).isEmpty();
    }
  }

  @Test
  void runStopsByItselfAfterItsDuration() throws Exception {
    try (ParentCli cli = ParentCli.start("run", "--workers", "1", "--transport", "tcp", "--duration", "2s",
        "--status-every", "500ms")) {
      assertThat(cli.waitFor(60)).as(cli.stderr()).isZero();
      assertThat(cli.stdout()).contains("Duration reached", "worker-1 READY rtt", "EXITED, exit 0");
    }
  }

  @Test
  void outOfRangeValueIsAUsageErrorWithStatus2() throws Exception {
    try (ParentCli cli = ParentCli.start("run", "--workers", "0")) {
      assertThat(cli.waitFor(30)).isEqualTo(2);
      assertThat(cli.stderr()).contains("workers must be between 1 and 256, got 0");
    }
  }

  @Test
  void unknownFlagIsAUsageErrorWithStatus2() throws Exception {
    try (ParentCli cli = ParentCli.start("ping", "--no-such-flag")) {
      assertThat(cli.waitFor(30)).isEqualTo(2);
      assertThat(cli.stderr()).contains("Unknown option: '--no-such-flag'", "Usage: ipclab ping",
          "Try 'ipclab ping --help'");
      assertThat(cli.process().children()).isEmpty();
    }
  }
}
