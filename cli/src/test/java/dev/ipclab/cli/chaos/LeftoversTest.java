package dev.ipclab.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The leftover checks see a real marked process and a real directory, and pass once both are gone. */
@Timeout(60)
class LeftoversTest {

  private static Invariant named(List<Invariant> invariants, String prefix) {
    return invariants.stream().filter(i -> i.name().startsWith(prefix)).findFirst().orElseThrow();
  }

  @Test
  void aMarkedLiveProcessAndARunDirectoryFailUntilTheyAreGone(@TempDir Path tmp) throws Exception {
    String marker = "ipclab.chaos.run=test-" + Long.toHexString(System.nanoTime());
    Path runDirectory = Files.createDirectory(tmp.resolve("run"));
    // The marker rides as $0 of the shell, so it shows in /proc/<pid>/cmdline as a worker's -D flag does.
    Process marked = new ProcessBuilder("sh", "-c", "sleep 60", marker).start();
    try {
      Map<Long, Optional<java.time.Instant>> seen =
          Map.of(marked.pid(), marked.toHandle().info().startInstant());
      List<Invariant> before = new Leftovers(marker, seen, runDirectory).check();
      assertThat(named(before, "no orphan").pass()).isFalse();
      assertThat(named(before, "no orphan").detail()).contains(Long.toString(marked.pid()));
      assertThat(named(before, "no worker alive").pass()).isFalse();
      assertThat(named(before, "no leftover run directory").pass()).isFalse();
      assertThat(named(before, "no leftover run directory").detail()).contains(runDirectory.toString());

      marked.destroyForcibly();
      assertThat(marked.waitFor(10, TimeUnit.SECONDS)).isTrue();
      Files.delete(runDirectory);
      List<Invariant> after = new Leftovers(marker, seen, runDirectory).check();
      after.forEach(i -> assertThat(i.pass()).as(i.toString()).isTrue());
    } finally {
      marked.destroyForcibly();
    }
  }
}
