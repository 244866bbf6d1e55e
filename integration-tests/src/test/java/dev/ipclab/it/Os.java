package dev.ipclab.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** What the tests ask the OS directly: signals through kill(1), and /proc. */
final class Os {
  private Os() {}

  /** Sends {@code signal} (e.g. "KILL", "STOP") with the real kill command. */
  static void kill(String signal, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
        .redirectErrorStream(true)
        .start();
    String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + signal + " " + pid + " failed: " + output);
    }
  }

  /** Runs an OS tool (e.g. {@code ss -ltnp}) and returns its stdout; fails unless it exits 0 within 10 s. */
  static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed: " + output);
    }
    return output;
  }

  /** One variable of {@code pid}'s environment from {@code /proc/<pid>/environ}, or null; any same-uid process can. */
  static String environ(long pid, String name) throws IOException {
    byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
    for (String entry : new String(raw, StandardCharsets.UTF_8).split("\0")) {
      if (entry.startsWith(name + "=")) {
        return entry.substring(name.length() + 1);
      }
    }
    return null;
  }

  /** The NUL-separated command line of {@code pid}, as a list. */
  static List<String> cmdline(long pid) throws IOException {
    byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
    List<String> args = new ArrayList<>();
    for (String s : new String(raw, StandardCharsets.UTF_8).split("\0")) {
      args.add(s);
    }
    return args;
  }

  /** Where {@code /proc/<pid>/fd/<fd>} points, e.g. {@code pipe:[48211]}. */
  static String fdTarget(long pid, int fd) throws IOException {
    return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", Integer.toString(fd))).toString();
  }

  /** Every target of this process's open file descriptors. */
  static List<String> fdTargets(long pid) throws IOException {
    List<String> targets = new ArrayList<>();
    try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds.toList()) {
        try {
          targets.add(Files.readSymbolicLink(fd).toString());
        } catch (IOException e) {
          // closed while we listed
        }
      }
    }
    return targets;
  }

  /**
   * Whether {@code pid} has exited: gone from /proc, or a zombie. An orphan's zombie waits for init to reap it,
   * and some inits (this sandbox's among them) reap only every second or two; that wait is not the worker's.
   */
  static boolean hasExited(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state == 'Z' || state == 'X';
    } catch (IOException e) {
      return true;
    }
  }

  /** Polls {@code condition} every 20 ms for up to {@code millis}; true as soon as it holds. */
  static boolean within(long millis, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(20);
    }
    return condition.getAsBoolean();
  }
}
