package dev.ipclab.demos;

import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.parent.PoolWorker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** The web-server demo's view of a server worker from outside: its threads, RSS and open fds in /proc. */
final class ServerProbe {
  private ServerProbe() {}

  /** A server's kernel threads, resident memory and open fds at one moment. */
  record Sample(int threads, long rssKib, int fds) {}

  /**
   * The server once its open fds and threads reach what is expected, or stop changing for {@code stallNanos}:
   * connections come and go in it after the load's side has them, since the kernel completes a connection before
   * the server's accept() takes it, and a thread ends after its connection's reset.
   */
  static Sample await(PoolWorker server, int n, long stallNanos, Predicate<Sample> reached)
      throws IOException, InterruptedException {
    Sample now = sample(server, n);
    long stalledSince = System.nanoTime();
    Sample seen = now;
    while (!reached.test(now) && System.nanoTime() - stalledSince < stallNanos) {
      Thread.sleep(5);
      now = sample(server, n);
      if (now.fds() != seen.fds() || now.threads() != seen.threads()) {
        seen = now;
        stalledSince = System.nanoTime();
      }
    }
    return now;
  }

  /** One sample of {@code server}, serving {@code n} connections (for the message if it vanished). */
  static Sample sample(PoolWorker server, int n) throws IOException {
    // fds first: a connection's thread starts after its accept, so threads read after fds count every one
    int fds = fds(server.pid());
    ProcStatus status = status(server, n);
    return new Sample(status.threads(), status.rssKib(), fds);
  }

  static ProcStatus status(PoolWorker server, int n) throws IOException {
    return ProcStatus.read(server.pid()).orElseThrow(() -> new IOException(server.name() + " (pid " + server.pid()
        + ") vanished while serving " + n + " connections"));
  }

  private static int fds(long pid) {
    Path dir = Path.of("/proc", Long.toString(pid), "fd");
    try {
      // Linux 6.2 and later give the count of open fds as the directory's size, without listing 10,000 links
      long size = Files.size(dir);
      if (size > 0) {
        return (int) size;
      }
      try (Stream<Path> all = Files.list(dir)) {
        return (int) all.count();
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      return 0;
    }
  }
}
