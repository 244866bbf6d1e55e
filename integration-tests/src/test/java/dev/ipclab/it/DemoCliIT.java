package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipclab.demos.os.ProcStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code ipclab demo} as a user runs it: JSON output, --keep with live processes, and usage errors. */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemoCliIT {
  private static final Pattern WORKER_PID = Pattern.compile("worker-\\d+ (\\d+)");

  @Test
  void jsonCarriesTheClaimTheVerdictAndTheMeasuredEvidence() throws Exception {
    try (ParentCli cli = ParentCli.start("demo", "threads-share", "--transport", "uds", "--json")) {
      assertThat(cli.waitFor(90)).as(cli.stderr()).isZero();
      JsonNode json = new ObjectMapper().readTree(cli.stdout());
      assertThat(json.get("demo").asText()).isEqualTo("threads-share");
      assertThat(json.get("claim").asText()).isNotBlank();
      assertThat(json.get("prediction").asText()).isNotBlank();
      assertThat(json.get("transport").asText()).isEqualTo("uds");
      assertThat(json.get("holds").asBoolean()).isTrue();
      assertThat(json.get("verdict").get("checks")).isNotEmpty()
          .allSatisfy(c -> assertThat(c.get("passed").asBoolean()).as(c.toString()).isTrue());
      assertThat(json.get("evidence").get("atomic").get("counted").asLong()).isEqualTo(4_000_000L);
      assertThat(json.get("evidence").get("racer_tids")).hasSize(4);
      assertThat(json.get("pids").get("parent").asLong()).isEqualTo(cli.pid());
      assertThat(json.get("pids").size()).isEqualTo(5);
      assertThat(json.get("tables")).isNotEmpty();
      assertThat(json.get("check_yourself").get(0).asText()).contains("" + json.get("pids").get("worker-1").asLong());
      // Progress goes to stderr, so stdout is one JSON document.
      assertThat(cli.stderr()).contains("threads-share:");
    }
  }

  @Test
  void keepLeavesTheWorkersUpUntilTheUserStopsThem() throws Exception {
    try (ParentCli cli = ParentCli.start("demo", "threads-share", "--keep")) {
      assertThat(cli.awaitLine("press Ctrl-C to stop them", 90_000)).as(cli.stdout() + cli.stderr()).isNotNull();
      String out = cli.stdout();
      assertThat(out).contains("Claim:", "Prediction:", "Measured:", "Verdict:", "Check it yourself (the processes"
          + " are still up)", "ps -L -o pid,tid,stat,comm -p ");
      String processes = out.lines().filter(l -> l.contains("processes: parent " + cli.pid())).findFirst()
          .orElseThrow();
      List<Long> workers = new ArrayList<>();
      Matcher m = WORKER_PID.matcher(processes);
      while (m.find()) {
        workers.add(Long.parseLong(m.group(1)));
      }
      assertThat(workers).hasSize(4);
      for (long pid : workers) {
        assertThat(ProcStatus.read(pid)).as("kept worker %d", pid).isPresent()
            .get().extracting(ProcStatus::ppid).isEqualTo(cli.pid());
      }
      Os.kill("TERM", cli.pid());
      assertThat(cli.waitFor(30)).as(cli.stderr()).isEqualTo(143);
      for (long pid : workers) {
        assertThat(Os.within(5_000, () -> Os.hasExited(pid))).as("worker %d after the stop", pid).isTrue();
      }
    }
  }

  @Test
  void aKeptSharedMemoryFileLivesUntilTheStopAndThenGoes() throws Exception {
    try (ParentCli cli = ParentCli.start("demo", "address-space", "--keep")) {
      assertThat(cli.awaitLine("press Ctrl-C to stop them", 90_000)).as(cli.stdout() + cli.stderr()).isNotNull();
      Matcher m = Pattern.compile("(/dev/shm/ipclab-" + cli.pid() + "-[0-9a-f]+)").matcher(cli.stdout());
      assertThat(m.find()).as(cli.stdout()).isTrue();
      java.nio.file.Path shm = java.nio.file.Path.of(m.group(1));
      assertThat(shm).as("the shared file while the processes are kept").exists();
      Os.kill("TERM", cli.pid());
      assertThat(cli.waitFor(30)).as(cli.stderr()).isEqualTo(143);
      assertThat(shm).as("the shared file after the stop").doesNotExist();
    }
  }

  @Test
  void anUnknownDemoIsAUsageErrorThatListsTheDemos() throws Exception {
    try (ParentCli cli = ParentCli.start("demo", "no-such-demo")) {
      assertThat(cli.waitFor(30)).isEqualTo(2);
      assertThat(cli.stderr()).contains("no demo called 'no-such-demo'; expected all or one of", "threads-share",
          "Usage: ipclab demo");
    }
  }
}
