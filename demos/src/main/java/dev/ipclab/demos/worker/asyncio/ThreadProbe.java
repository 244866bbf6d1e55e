package dev.ipclab.demos.worker.asyncio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Watches this process's threads as the kernel lists them while a page loads: it polls /proc/self/status and
 * /proc/self/task every few milliseconds on a thread of its own, and keeps the highest thread count and every
 * thread that was not there at the start. The page's threads live at least as long as the fastest image's
 * latency, far longer than the polling interval.
 */
final class ThreadProbe implements AutoCloseable {
  private static final long POLL_MILLIS = 5;
  private static final Path TASKS = Path.of("/proc/self/task");

  private final int before;
  private final Set<String> baseline;
  private final Map<String, String> appeared = new LinkedHashMap<>();
  private final Thread poller;
  private volatile boolean stopped;
  private int peak;

  private ThreadProbe() {
    poller = Thread.ofPlatform().name("page-probe").daemon().start(this::poll);
    // The baseline is taken with the poller already alive, so the probe does not count itself; the lock publishes
    // it to the poller.
    synchronized (this) {
      before = ProcSelf.threads();
      baseline = ProcSelf.taskIds();
      peak = before;
    }
  }

  static ThreadProbe start() {
    return new ThreadProbe();
  }

  private void poll() {
    while (!stopped) {
      sample();
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private synchronized void sample() {
    if (baseline == null) {
      return; // the constructor has not taken the baseline yet
    }
    peak = Math.max(peak, ProcSelf.threads());
    for (String tid : ProcSelf.taskIds()) {
      if (!baseline.contains(tid)) {
        // Read again while the thread lives: a new thread carries its creator's name until it has named itself.
        String comm = ProcSelf.comm(tid);
        if (comm != null) {
          appeared.put(tid, comm);
        }
      }
    }
  }

  int before() {
    return before;
  }

  /** Stops polling after one last sample; the counts are final afterwards. Idempotent. */
  @Override
  public void close() throws InterruptedException {
    if (stopped) {
      return;
    }
    stopped = true;
    poller.join();
    sample();
  }

  synchronized int peak() {
    return peak;
  }

  /** The names of the threads that appeared, in the order they were first seen. */
  synchronized List<String> newThreadNames() {
    return List.copyOf(appeared.values());
  }

  /** This process's view of itself in /proc. */
  static final class ProcSelf {
    private ProcSelf() {}

    static int threads() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (line.startsWith("Threads:")) {
            return Integer.parseInt(line.substring("Threads:".length()).trim());
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      throw new IllegalStateException("/proc/self/status has no Threads: line");
    }

    static Set<String> taskIds() {
      try (Stream<Path> tasks = Files.list(TASKS)) {
        return tasks.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The thread's kernel name, or null if it ended between the listing and the read. */
    static String comm(String tid) {
      try {
        return Files.readString(TASKS.resolve(tid).resolve("comm")).trim();
      } catch (IOException e) {
        return null;
      }
    }
  }
}
