package dev.ipclab.demos.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the scheduler says about one thread: {@code /proc/<pid>/task/<tid>/schedstat} (time on a CPU, time ready but
 * waiting in the run queue, timeslices) and the state letter of {@code /proc/<pid>/task/<tid>/stat}.
 *
 * @param onCpuNanos time spent running on a CPU, in nanoseconds (field 1)
 * @param runQueueNanos time spent runnable but waiting for a CPU in the run queue, in nanoseconds (field 2)
 * @param timeslices how many times it was given a CPU (field 3)
 */
public record TaskSched(long onCpuNanos, long runQueueNanos, long timeslices) {

  /** The path of a thread's file under {@code /proc/<pid>/task/<tid>/}. */
  public static Path taskFile(long pid, long tid, String name) {
    return Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), name);
  }

  /** Reads the thread's schedstat; empty if the thread is gone or the kernel has no schedstat (no schedstats). */
  public static Optional<TaskSched> read(long pid, long tid) {
    try {
      return Optional.of(parse(Files.readString(taskFile(pid, tid, "schedstat"))));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Parses {@code "<on-cpu ns> <run-queue ns> <timeslices>"}. */
  static TaskSched parse(String schedstat) throws IOException {
    String[] fields = schedstat.trim().split("\\s+");
    if (fields.length < 3) {
      throw new IOException("a schedstat line has 3 numbers (on-CPU ns, run-queue ns, timeslices), got '"
          + schedstat.trim() + "'");
    }
    try {
      return new TaskSched(Long.parseLong(fields[0]), Long.parseLong(fields[1]), Long.parseLong(fields[2]));
    } catch (NumberFormatException e) {
      throw new IOException("schedstat '" + schedstat.trim() + "' is not 3 numbers", e);
    }
  }

  /** This sample's times minus an earlier one's: what happened between the two reads. */
  public TaskSched minus(TaskSched earlier) {
    return new TaskSched(onCpuNanos - earlier.onCpuNanos, runQueueNanos - earlier.runQueueNanos,
        timeslices - earlier.timeslices);
  }

  /** The thread's state letter (R, S, D, T, Z...), or '?' if the thread is gone. */
  public static char stateLetter(long pid, long tid) {
    try {
      return stateLetter(Files.readString(taskFile(pid, tid, "stat")));
    } catch (IOException e) {
      return '?';
    }
  }

  /**
   * The state field of a stat line: the first character after the last ')', since the command name in
   * parentheses before it may itself hold spaces and parentheses.
   */
  static char stateLetter(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0 || close + 2 >= stat.length()) {
      return '?';
    }
    return stat.charAt(close + 2);
  }
}
