package dev.ipclab.demos.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which CPUs a process may run on: read from {@code /proc/<pid>/status} ({@code Cpus_allowed_list}) and changed
 * for every thread of a process with {@code taskset -a -p -c}, the tool a user would use.
 */
public final class CpuAffinity {
  private static final String HINT = "taskset comes with util-linux: apt-get install util-linux";

  private CpuAffinity() {}

  /** The CPUs {@code pid} may run on, e.g. [0, 1]. */
  public static List<Integer> allowed(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("Cpus_allowed_list:")) {
        return parseList(line.substring("Cpus_allowed_list:".length()).trim());
      }
    }
    throw new IOException("/proc/" + pid + "/status has no Cpus_allowed_list line");
  }

  /** Restricts every thread of {@code pid}, and the threads they start later, to {@code cpus}. */
  public static void set(long pid, List<Integer> cpus) throws IOException {
    OsCommand.run(List.of("taskset", "-a", "-p", "-c", format(cpus), Long.toString(pid)), 5_000, HINT);
  }

  /** The shell command that does what {@link #set} does, for "check it yourself". */
  public static String command(long pid, List<Integer> cpus) {
    return "taskset -a -p -c " + format(cpus) + " " + pid;
  }

  /** Parses a kernel CPU list such as {@code 0-3,6,8-9}. */
  static List<Integer> parseList(String list) {
    List<Integer> cpus = new ArrayList<>();
    for (String part : list.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int dash = p.indexOf('-');
      if (dash < 0) {
        cpus.add(Integer.parseInt(p));
      } else {
        int from = Integer.parseInt(p.substring(0, dash));
        int to = Integer.parseInt(p.substring(dash + 1));
        for (int c = from; c <= to; c++) {
          cpus.add(c);
        }
      }
    }
    return cpus;
  }

  static String format(List<Integer> cpus) {
    return String.join(",", cpus.stream().map(String::valueOf).toList());
  }
}
