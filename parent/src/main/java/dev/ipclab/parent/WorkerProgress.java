package dev.ipclab.parent;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tells a silent worker that is busy or starved from one that is stuck, from what the kernel shows of it: whether
 * it is stopped ({@code /proc/<pid>/stat} state {@code T}), the CPU time of all its threads, and the run-queue wait
 * of its heartbeat thread ({@code /proc/<pid>/task/<tid>/schedstat}).
 *
 * <p>A silence is only a fault when the worker made no progress in it: a worker that starts 5,000 threads on two
 * CPUs, or whose heartbeat thread waits behind a load of 25, is alive and is heard again as soon as it gets a CPU.
 * A stopped, deadlocked or blocked worker neither runs nor waits for a CPU.
 */
final class WorkerProgress {
  /** The worker's heartbeat thread, as the kernel names it (comm is cut to 15 characters). */
  static final String HEARTBEAT_THREAD_COMM = "ipclab-heartbea";

  private final long pid;
  private long heartbeatTid = -1;
  private long lastCpuTicks = -1;
  private long lastHeartbeatNanos = -1;

  WorkerProgress(long pid) {
    this.pid = pid;
  }

  /** What one look at the worker found. */
  enum Sign {
    /** Stopped by a signal or a debugger: it cannot answer until continued. */
    STOPPED,
    /** It ran on a CPU, or its heartbeat thread ran or waited for one, since the last look. */
    PROGRESSING,
    /** Neither: asleep or blocked the whole time (or this was the first look, which has nothing to compare). */
    STILL,
    /** /proc does not show it (gone, or not Linux). */
    UNKNOWN
  }

  /** Looks at the worker once and compares with the previous look; the first look reports no progress. */
  Sign look() {
    String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
    if (stat == null) {
      return Sign.UNKNOWN;
    }
    // The command name is in parentheses and may hold spaces; the fields after it are space separated.
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return Sign.UNKNOWN;
    }
    String[] f = stat.substring(close + 2).trim().split(" ");
    char state = f[0].isEmpty() ? '?' : f[0].charAt(0);
    if (state == 'T' || state == 't') {
      return Sign.STOPPED;
    }
    long cpu = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime, fields 14 and 15
    long heartbeat = heartbeatScheduledNanos();
    boolean progressed = lastCpuTicks >= 0 && (cpu > lastCpuTicks
        || (heartbeat >= 0 && lastHeartbeatNanos >= 0 && heartbeat > lastHeartbeatNanos));
    lastCpuTicks = cpu;
    lastHeartbeatNanos = heartbeat;
    return progressed ? Sign.PROGRESSING : Sign.STILL;
  }

  /** The heartbeat thread's time on a CPU plus its time waiting on a run queue, in ns; -1 if not found. */
  private long heartbeatScheduledNanos() {
    if (heartbeatTid < 0) {
      heartbeatTid = findHeartbeatThread();
      if (heartbeatTid < 0) {
        return -1;
      }
    }
    String schedstat = read(Path.of("/proc", Long.toString(pid), "task", Long.toString(heartbeatTid),
        "schedstat"));
    if (schedstat == null) {
      heartbeatTid = -1;
      return -1;
    }
    String[] f = schedstat.trim().split(" ");
    return f.length >= 2 ? Long.parseLong(f[0]) + Long.parseLong(f[1]) : -1;
  }

  private long findHeartbeatThread() {
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks) {
        String comm = read(task.resolve("comm"));
        if (comm != null && comm.strip().equals(HEARTBEAT_THREAD_COMM)) {
          return Long.parseLong(task.getFileName().toString());
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
