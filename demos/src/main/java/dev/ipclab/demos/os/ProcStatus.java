package dev.ipclab.demos.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the kernel says about one process in {@code /proc/<pid>/status}: the one place ipclab reads it.
 *
 * @param pid the process id
 * @param ppid its parent's pid ({@code PPid:})
 * @param state the state letter and word, e.g. {@code S (sleeping)} ({@code State:})
 * @param threads kernel threads (tasks) in the process ({@code Threads:})
 * @param rssKib resident memory in KiB ({@code VmRSS:})
 */
public record ProcStatus(long pid, long ppid, String state, int threads, long rssKib) {

  /** Reads {@code /proc/<pid>/status}; empty if the process is gone or /proc is not there. */
  public static Optional<ProcStatus> read(long pid) {
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
    } catch (IOException e) {
      return Optional.empty();
    }
    long ppid = -1;
    String state = "?";
    int threads = 0;
    long rss = 0;
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String value = line.substring(colon + 1).trim();
      switch (line.substring(0, colon)) {
        case "PPid" -> ppid = Long.parseLong(value);
        case "State" -> state = value;
        case "Threads" -> threads = Integer.parseInt(value);
        case "VmRSS" -> rss = Long.parseLong(value.split("\\s+")[0]);
        default -> {}
      }
    }
    return Optional.of(new ProcStatus(pid, ppid, state, threads, rss));
  }

  /** Resident memory in MiB. */
  public double rssMib() {
    return rssKib / 1024.0;
  }
}
