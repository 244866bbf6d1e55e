package dev.ipclab.demos.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The open file descriptors of one process as {@code /proc/<pid>/fd} links name them, e.g. {@code pipe:[48211]}. */
public final class ProcFds {
  private ProcFds() {}

  /**
   * One descriptor.
   *
   * @param fd its number
   * @param target what the link points to: {@code pipe:[inode]}, {@code socket:[inode]}, a path, ...
   */
  public record Fd(int fd, String target) {
    /** {@code pipe}, {@code socket} or {@code file} (anything else). */
    public String kind() {
      return target.startsWith("pipe:[") ? "pipe" : target.startsWith("socket:[") ? "socket" : "file";
    }

    /** The inode of a pipe or socket, or -1. */
    public long inode() {
      int open = target.indexOf('[');
      return open < 0 || !target.endsWith("]") ? -1 : Long.parseLong(target.substring(open + 1, target.length() - 1));
    }
  }

  /** Every descriptor of {@code pid}, by number; empty if the process is gone or not ours to read. */
  public static List<Fd> list(long pid) {
    List<Fd> fds = new ArrayList<>();
    try (var list = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : list.toList()) {
        try {
          fds.add(new Fd(Integer.parseInt(fd.getFileName().toString()), Files.readSymbolicLink(fd).toString()));
        } catch (IOException e) {
          // closed while we listed
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    fds.sort(Comparator.comparingInt(Fd::fd));
    return fds;
  }
}
