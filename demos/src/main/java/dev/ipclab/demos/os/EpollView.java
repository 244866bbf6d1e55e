package dev.ipclab.demos.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An event loop as the kernel sees it: the process's epoll descriptors ({@code anon_inode:[eventpoll]} in
 * {@code /proc/<pid>/fd}), each with the descriptors it watches, one {@code tfd:} line per watched fd in
 * {@code /proc/<pid>/fdinfo/<fd>}, and where a thread sleeps ({@code /proc/<pid>/task/<tid>/wchan}).
 *
 * @param fd the epoll descriptor
 * @param watched the descriptors it watches, from the {@code tfd:} lines
 */
public record EpollView(int fd, List<Integer> watched) {

  /** Every epoll descriptor of {@code pid}; empty if there is none or the process is gone. */
  public static List<EpollView> of(long pid) {
    List<EpollView> out = new ArrayList<>();
    for (ProcFds.Fd fd : ProcFds.list(pid)) {
      if (!fd.target().equals("anon_inode:[eventpoll]")) {
        continue;
      }
      try {
        out.add(new EpollView(fd.fd(), parse(Files.readAllLines(Path.of("/proc", Long.toString(pid), "fdinfo",
            Integer.toString(fd.fd()))))));
      } catch (IOException e) {
        // closed between the listing and the read
      }
    }
    return out;
  }

  /** The watched fds of an fdinfo: {@code tfd:       12 events:       19 data: ...}. */
  static List<Integer> parse(List<String> fdinfo) {
    List<Integer> watched = new ArrayList<>();
    for (String line : fdinfo) {
      String[] parts = line.trim().split("\\s+");
      if (parts.length >= 2 && parts[0].equals("tfd:")) {
        watched.add(Integer.parseInt(parts[1]));
      }
    }
    return watched;
  }

  /** The kernel function thread {@code tid} sleeps in, e.g. {@code do_epoll_wait}; "?" if not readable. */
  public static String wchan(long pid, long tid) {
    try {
      String w = Files.readString(TaskSched.taskFile(pid, tid, "wchan")).trim();
      return w.isEmpty() || w.equals("0") ? "(running)" : w;
    } catch (IOException e) {
      return "?";
    }
  }
}
