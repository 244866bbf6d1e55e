package dev.ipclab.demos.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

/**
 * CPU time from the kernel's accounting, in clock ticks ({@code USER_HZ}, 100 per second on Linux): chosen CPUs'
 * busy time from {@code /proc/stat}, and one process's from {@code /proc/<pid>/stat}. The difference
 * shows how much CPU other processes took while a measurement ran.
 */
public final class CpuTimes {
  /** USER_HZ: fixed at 100 by the Linux ABI for everything /proc reports in ticks. */
  public static final int TICKS_PER_SECOND = 100;

  private CpuTimes() {}

  /**
   * Busy ticks of the given CPUs together: user, nice, system, irq, softirq and steal (not idle, not iowait), from
   * their {@code cpuN} lines. Only those CPUs: in a container limited to some CPUs, load on the others is not ours
   * to count.
   */
  public static long machineBusyTicks(Collection<Integer> cpus) throws IOException {
    long busy = 0;
    int seen = 0;
    for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
      String[] f = line.trim().split("\\s+");
      if (!f[0].startsWith("cpu") || f[0].equals("cpu") || !cpus.contains(Integer.parseInt(f[0].substring(3)))) {
        continue;
      }
      seen++;
      for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
        busy += i < f.length ? Long.parseLong(f[i]) : 0;
      }
    }
    if (seen != cpus.size()) {
      throw new IOException("/proc/stat lists " + seen + " of the CPUs " + cpus + "; cannot account for the rest");
    }
    return busy;
  }

  /** User plus system ticks of {@code pid} (all its threads), or 0 if it is gone. */
  public static long processTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the command name, which may itself contain spaces and parentheses.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime and stime: fields 14 and 15 of the line
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** The sum of {@link #processTicks} over {@code pids}. */
  public static long processTicks(Collection<Long> pids) {
    return pids.stream().mapToLong(CpuTimes::processTicks).sum();
  }
}
