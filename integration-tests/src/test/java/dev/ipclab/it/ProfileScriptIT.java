package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/ipclab-profile} records a real ping under perf: the JIT's code is named through the JVMs' perf maps,
 * and the maps leave /tmp with the run.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProfileScriptIT {
  @TempDir
  Path dir;

  @Test
  void profilesParentAndWorkerWithJavaFramesNamedAndLeavesNoMapInTmp() throws Exception {
    assumeTrue(onPath("perf"), "perf is not installed (Debian: linux-perf), so there is nothing to profile with");
    long paranoid = Long.parseLong(Files.readString(Path.of("/proc/sys/kernel/perf_event_paranoid")).trim());
    boolean root = "root".equals(System.getProperty("user.name"));
    assumeTrue(root || paranoid <= 1, "kernel.perf_event_paranoid is " + paranoid + " and the tests do not run as"
        + " root, so perf may not sample other processes");

    Path out = dir.resolve("profile");
    Scripts.Result bad = script("--freq", "often");
    assertThat(bad.status()).isEqualTo(2);
    assertThat(bad.stderr()).contains("--freq expects a positive whole number", "often");

    Scripts.Result run = script("--out", out.toString(), "--workers", "1", "--transport", "pipe", "--count", "5000",
        "--freq", "499");
    assertThat(run.status()).as(run.stderr()).isZero();
    assertThat(Files.readString(out.resolve("ping.txt"))).contains("round trips of 100 payload bytes over pipe");
    // Code the JIT compiled shows up under its perf map ("[JIT] tid <pid>"): the maps were there when perf read it.
    assertThat(Files.readString(out.resolve("by-library.txt"))).contains("libjvm.so", "[JIT]");
    assertThat(Files.readString(out.resolve("by-thread.txt"))).containsPattern("\\d+\\.\\d+%");
    List<Path> maps;
    try (Stream<Path> files = Files.list(out.resolve("maps"))) {
      maps = files.filter(p -> p.getFileName().toString().matches("perf-\\d+\\.map")).toList();
    }
    assertThat(maps).as("the parent's and the worker's maps, at least").hasSizeGreaterThanOrEqualTo(2);
    for (Path map : maps) {
      assertThat(Path.of("/tmp").resolve(map.getFileName())).as("moved out of /tmp").doesNotExist();
    }
    assertThat(run.stdout()).contains("CPU by library", "all of it in " + out);
  }

  private static boolean onPath(String command) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .anyMatch(d -> Files.isExecutable(Path.of(d, command)));
  }

  private static Scripts.Result script(String... args) throws Exception {
    return Scripts.run("ipclab-profile", Map.of(), Duration.ofSeconds(150), args);
  }
}
