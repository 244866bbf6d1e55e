package dev.ipclab.demos;

import dev.ipclab.demos.evidence.WebServerEvidence;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The OS limits a thread per connection can meet, and a listener's accept queue size, on this machine. */
record ServerLimits(String openFiles, String processes, String threadsMax, String pidMax, String somaxconn) {
  static ServerLimits of(long pid) {
    String files = "?";
    String procs = "?";
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
        String[] f = line.substring(Math.min(26, line.length())).trim().split("\\s+");
        if (line.startsWith("Max open files") && f.length >= 2) {
          files = f[0] + " soft / " + f[1] + " hard";
        } else if (line.startsWith("Max processes") && f.length >= 2) {
          procs = f[0] + " soft / " + f[1] + " hard";
        }
      }
    } catch (IOException e) {
      // not Linux: left as "?"
    }
    return new ServerLimits(files, procs, read("/proc/sys/kernel/threads-max"), read("/proc/sys/kernel/pid_max"),
        read("/proc/sys/net/core/somaxconn"));
  }

  /** Connections to open before the server must have accepted them: half its accept queue, 64 to 1,000. */
  int acceptRound() {
    try {
      return Math.clamp(Integer.parseInt(somaxconn) / 2, 64, 1_000);
    } catch (NumberFormatException e) {
      return 64;
    }
  }

  private static String read(String file) {
    try {
      // readString gives only the first byte of a /proc/sys file, whose size reads as 0; lines read to the end
      return Files.readAllLines(Path.of(file)).getFirst().trim();
    } catch (IOException e) {
      return "?";
    }
  }

  String describe() {
    return "open files (ulimit -n) " + openFiles + ", processes+threads per user (ulimit -u) " + processes
        + ", kernel.threads-max " + threadsMax + ", kernel.pid_max " + pidMax;
  }

  /** The limits as evidence. */
  WebServerEvidence.Limits evidence() {
    return new WebServerEvidence.Limits(openFiles, processes, threadsMax, pidMax, somaxconn);
  }
}
