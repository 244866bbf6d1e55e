package dev.ipclab.cli.bench;

import dev.ipclab.demos.os.CpuAffinity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine a bench ran on, as the kernel reports it: numbers from another machine, another kernel, or another
 * CPU placement are not comparable.
 *
 * @param cpusOnline CPUs the kernel has online ({@code /sys/devices/system/cpu/online})
 * @param cpusAllowed the CPUs this process may run on ({@code Cpus_allowed_list}); workers inherit them
 * @param pinned whether fewer CPUs are allowed than are online ({@code taskset -c 0 scripts/ipclab bench})
 * @param kernel {@code /proc/sys/kernel/osrelease}
 * @param java the running JVM's version and vendor
 * @param loadAvg1mStart the 1-minute load average before the bench: other processes' load spoils numbers
 * @param loadAvg1mEnd the same after the bench
 */
public record MachineFacts(int cpusOnline, List<Integer> cpusAllowed, boolean pinned, String kernel, String java,
    double loadAvg1mStart, double loadAvg1mEnd) {

  /** The facts now; the end load average is filled in by {@link #withEndLoad()}. */
  static MachineFacts read() {
    int online;
    try {
      online = parseCpuList(Files.readString(Path.of("/sys/devices/system/cpu/online")).trim()).size();
    } catch (IOException | RuntimeException e) {
      online = Runtime.getRuntime().availableProcessors();
    }
    List<Integer> allowed;
    try {
      allowed = CpuAffinity.allowed(ProcessHandle.current().pid());
    } catch (IOException e) {
      allowed = List.of();
    }
    String kernel = readOr(Path.of("/proc/sys/kernel/osrelease"), System.getProperty("os.version"));
    String java = Runtime.version() + " (" + System.getProperty("java.vendor") + ")";
    return new MachineFacts(online, allowed, !allowed.isEmpty() && allowed.size() < online, kernel, java,
        loadAvg1m(), Double.NaN);
  }

  MachineFacts withEndLoad() {
    return new MachineFacts(cpusOnline, cpusAllowed, pinned, kernel, java, loadAvg1mStart, loadAvg1m());
  }

  /** {@code unpinned (CPUs 0-1 of 2)} or {@code pinned to CPU 0 of 2}. */
  String placement() {
    String list = String.join(",", cpusAllowed.stream().map(String::valueOf).toList());
    return pinned ? "pinned to CPU " + list + " of " + cpusOnline : "unpinned (CPUs " + list + " of " + cpusOnline
        + ")";
  }

  static List<Integer> parseCpuList(String list) {
    List<Integer> cpus = new java.util.ArrayList<>();
    for (String part : list.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int dash = p.indexOf('-');
      int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
      int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1));
      for (int c = from; c <= to; c++) {
        cpus.add(c);
      }
    }
    return cpus;
  }

  private static double loadAvg1m() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static String readOr(Path file, String fallback) {
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      return fallback;
    }
  }
}
