package dev.ipclab.parent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kernel's count of processes its OOM killer has ended since boot, to tell its SIGKILL from anyone else's. */
final class OomKills {
  private static final Path VMSTAT = Path.of("/proc/vmstat");

  private OomKills() {}

  /** {@code oom_kill} of {@code /proc/vmstat} (Linux 4.13 and later), or -1 where it cannot be read. */
  static long count() {
    try (var lines = Files.lines(VMSTAT)) {
      return lines.filter(l -> l.startsWith("oom_kill ")).mapToLong(l -> Long.parseLong(l.substring(9).trim()))
          .findFirst().orElse(-1);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Kills between two counts, or -1 when either is unknown. */
  static long between(long before, long after) {
    return before < 0 || after < 0 ? -1 : after - before;
  }
}
