package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipclab.it.Scripts.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bash launchers {@code scripts/ipclab-inspect}, {@code ipclab-top} and {@code ipclab-stop} run as a user runs
 * them, from another directory (/tmp), against a real parent. The parent and the scripts share a private TMPDIR, so
 * that parents of other test runs on this machine cannot make "the only running parent" ambiguous.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ScriptsIT {
  private Path tmp;
  private Map<String, String> env;

  @BeforeEach
  void privateTmpdir() throws Exception {
    tmp = Files.createTempDirectory("scriptsit-");
    env = Map.of("TMPDIR", tmp.toString());
  }

  @AfterEach
  void removeTmpdir() {
    NoLeftovers.deleteTree(tmp);
  }

  @Test
  void inspectFindsTheRecordedParentAndStopStopsItGracefully() throws Exception {
    Result usage = script("ipclab-inspect", "--bogus");
    assertThat(usage.status()).isEqualTo(2);
    assertThat(usage.stderr()).contains("Usage: scripts/ipclab-inspect", "Examples:");
    Result topUsage = script("ipclab-top", "--bogus");
    assertThat(topUsage.status()).isEqualTo(2);
    assertThat(topUsage.stderr()).contains("Usage: scripts/ipclab-top", "Examples:");
    Result stopUsage = script("ipclab-stop", "1", "2");
    assertThat(stopUsage.status()).isEqualTo(2);
    assertThat(stopUsage.stderr()).contains("Usage: scripts/ipclab-stop", "Examples:");
    Result nothing = script("ipclab-inspect");
    assertThat(nothing.status()).as(nothing.stderr()).isEqualTo(1);
    assertThat(nothing.stderr()).contains("no running ipclab parent is recorded in " + tmp.resolve("ipclab-parents"));

    try (ParentCli parent = ParentCli.start(env, "run", "--workers", "2", "--transport", "uds")) {
      assertThat(parent.awaitLine("Running", 60_000)).as(parent.stderr()).isNotNull();
      List<ProcessHandle> workers = parent.process().children().toList();
      assertThat(workers).hasSize(2);
      Path record = tmp.resolve("ipclab-parents").resolve(parent.pid() + ".json");
      assertThat(record).exists();

      Result inspect = script("ipclab-inspect", "--json");
      assertThat(inspect.status()).as(inspect.stderr()).isZero();
      var json = new ObjectMapper().readTree(inspect.stdout());
      assertThat(json.get("parent_pid").asLong()).as("found through its record, no PID given")
          .isEqualTo(parent.pid());
      assertThat(json.get("processes")).hasSize(3);

      Result tree = script("ipclab-inspect", Long.toString(parent.pid()), "--tree");
      assertThat(tree.status()).as(tree.stderr()).isZero();
      assertThat(tree.stdout()).contains("parent(" + parent.pid() + ")", "worker-1(" + workers.get(0).pid() + ")",
          "carries the protocol");

      Result top = script("ipclab-top", "--once");
      assertThat(top.status()).as(top.stderr()).isZero();
      assertThat(top.stdout()).as("found through its record, no PID given").contains(
          "ipclab top - parent " + parent.pid(), "worker-2", Long.toString(workers.get(1).pid()));
      assertThat(tmp.resolve("ipclab-parents").resolve(parent.pid() + ".sock")).exists();

      Result refused = script("ipclab-stop", "1");
      assertThat(refused.status()).isNotZero();
      assertThat(refused.stderr()).contains("pid 1 is not a recorded ipclab parent", "refusing to signal it");

      Result stop = script("ipclab-stop", Long.toString(parent.pid()));
      assertThat(stop.status()).as(stop.stderr()).isZero();
      assertThat(stop.stderr()).contains("sending SIGTERM to ipclab parent " + parent.pid(), "stopped");
      assertThat(parent.waitFor(30)).as(parent.stderr()).isIn(0, 143);
      assertThat(parent.stdout()).contains("Stopping on signal");
      for (ProcessHandle w : workers) {
        assertThat(Os.within(10_000, () -> Os.hasExited(w.pid()))).as("worker pid " + w.pid()).isTrue();
      }
      assertThat(record).as("the parent removed its record as it exited").doesNotExist();
      assertThat(tmp.resolve("ipclab-parents").resolve(parent.pid() + ".sock")).doesNotExist();
      assertThat(tmp.resolve("ipclab-parents")).as("the last parent out removes the directory").doesNotExist();
    }
  }

  /** Runs {@code scripts/<name>} from /tmp, sharing this test's TMPDIR. */
  private Result script(String name, String... args) throws Exception {
    return Scripts.run(name, env, Duration.ofSeconds(90), args);
  }
}
