package dev.ipclab.demos.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * How often the threads of a process gave up their CPU to wait (voluntary context switches), summed over
 * {@code /proc/<pid>/task/<tid>/status}: each is one time a thread went to sleep and had to be woken by the kernel.
 */
public final class ContextSwitches {
  private ContextSwitches() {}

  /** The sum of {@code voluntary_ctxt_switches} over the process's threads; -1 if the process or /proc is gone. */
  public static long voluntary(long pid) {
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    long sum = 0;
    try (Stream<Path> all = Files.list(tasks)) {
      for (Path task : all.toList()) {
        sum += field(task.resolve("status"));
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      return -1;
    }
    return sum;
  }

  /** {@code voluntary_ctxt_switches} of one thread of the process; -1 if the thread or /proc is gone. */
  public static long ofThread(long pid, long tid) {
    Path status = Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "status");
    return Files.isReadable(status) ? field(status) : -1;
  }

  private static long field(Path status) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("voluntary_ctxt_switches:")) {
          return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
        }
      }
    } catch (IOException e) {
      // the thread ended between the listing and the read: it adds nothing
    }
    return 0;
  }
}
