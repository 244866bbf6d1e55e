package dev.ipclab.parent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's resident set size, from the kernel's {@code /proc/<pid>/status}: what recycling by memory reads. */
final class ProcessMemory {
  private ProcessMemory() {}

  /** {@code VmRSS} of {@code pid} in bytes, or -1 if the process is gone or the line cannot be read. */
  static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          // "VmRSS:     65536 kB": the kernel's kB are KiB.
          String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
