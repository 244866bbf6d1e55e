package dev.ipclab.demos;

import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.demos.proto.v1.WebLoad;
import dev.ipclab.demos.proto.v1.WebLoadResult;
import dev.ipclab.demos.proto.v1.WebServe;
import dev.ipclab.demos.proto.v1.WebServerMode;
import dev.ipclab.demos.proto.v1.WebServing;
import dev.ipclab.demos.proto.v1.WebStop;
import dev.ipclab.demos.proto.v1.WebStopped;
import dev.ipclab.parent.PoolWorker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * {@code web-server}: a server whose every request waits 100 ms for a slow backend, under 1,000, 5,000 and 10,000
 * connections held at once, three ways: a platform thread per connection, a virtual thread per connection, one
 * event loop. Each server is its own worker, measured from outside through /proc.
 */
public final class WebServerDemo implements Demo {
  static final List<Integer> LEVELS = List.of(1_000, 5_000, 10_000);
  static final int BACKEND_MILLIS = 100;
  /** Platform threads get small stacks: only what a thread touches is resident, but limits count them. */
  static final long STACK_BYTES = 256 * 1024;
  static final int LOAD_TIME_LIMIT_MILLIS = 6_000;
  /** The whole demo's budget for its loads: levels left when it is spent are skipped, and the verdict says so. */
  static final long BUDGET_MILLIS = 30_000;
  /** "Tens of kernel threads": what the event loop and the virtual threads must stay under at the top level. */
  static final int TENS = 100;
  static final List<WebServerMode> MODES = List.of(WebServerMode.WEB_SERVER_MODE_EVENT_LOOP,
      WebServerMode.WEB_SERVER_MODE_VIRTUAL_THREADS, WebServerMode.WEB_SERVER_MODE_PLATFORM_THREADS);

  @Override
  public String name() {
    return "web-server";
  }

  @Override
  public String claim() {
    return "A server waiting on 10,000 slow requests needs a kernel thread for each only if it gives each"
        + " connection a platform thread; an event loop or virtual threads serve them with tens of threads.";
  }

  /** What the parent saw of one server under one level of load, from /proc, sampled while the load ran. */
  record Level(WebServerMode mode, int connections, WebLoadResult load, int peakThreads, long peakRssKib,
      int peakFds) {
    double requestsPerSecond() {
      return load.getElapsedNanos() == 0 ? 0 : load.getAnswered() / (load.getElapsedNanos() / 1e9);
    }
  }

  @Override
  public DemoResult run(DemoContext context) throws Exception {
    int top = LEVELS.getLast();
    DemoResult.Builder result = DemoResult.builder(this).transport(context.transport().cliName())
        .prediction(top + " connections waiting " + BACKEND_MILLIS + " ms each: an event loop and virtual threads"
            + " use tens of kernel threads at about the same requests/s; a platform thread each, ~" + top
            + " threads and several times the memory, or an OS limit.");
    context.progress("starting " + MODES.size() + " server workers and a load generator over "
        + context.transport().cliName());
    // One JVM at a time: several starting at once on a busy 2-core machine miss the handshake's deadline.
    PoolWorker loader = context.startPool(1).worker(1);
    result.pid("load generator", loader.pid());
    Limits limits = Limits.of(loader.pid());
    List<Level> levels = new ArrayList<>();
    Map<WebServerMode, WebStopped> stopped = new LinkedHashMap<>();
    Map<WebServerMode, Long> serverPids = new LinkedHashMap<>();
    long budgetEnd = System.nanoTime() + BUDGET_MILLIS * 1_000_000;
    List<String> skipped = new ArrayList<>();
    for (int m = 0; m < MODES.size(); m++) {
      WebServerMode mode = MODES.get(m);
      PoolWorker server = context.startPool(1).worker(1);
      serverPids.put(mode, server.pid());
      result.pid(label(mode), server.pid());
      WebServing serving = TaskCall.call(server, "web-server.serve", WebServe.newBuilder().setMode(mode)
          .setBackendMillis(BACKEND_MILLIS).setStackBytes(STACK_BYTES).build(), WebServing.parser()).value();
      for (int n : LEVELS) {
        // The top level of every mode is what the verdict compares: it is never the one skipped first.
        if (System.nanoTime() > budgetEnd && n != LEVELS.getLast()) {
          skipped.add(label(mode) + " at " + n);
          continue;
        }
        context.progress(label(mode) + ": " + n + " connections at once");
        levels.add(level(server, loader, mode, n, serving.getPort()));
      }
      stopped.put(mode, TaskCall.call(server, "web-server.stop", WebStop.getDefaultInstance(),
          WebStopped.parser()).value());
    }

    Table.Builder table = Table.of("One request per connection, all sent at once, each waiting " + BACKEND_MILLIS
        + " ms; the server from outside (/proc/<pid>)", "server", "connections", "answered", "requests/s",
        "p50 (ms)", "p99 (ms)", "kernel threads", "RSS (MiB)", "open fds");
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Level l : levels) {
      table.row(label(l.mode()), l.connections(), l.load().getAnswered(), Math.round(l.requestsPerSecond()),
          Stats.millis(l.load().getP50Nanos()), Stats.millis(l.load().getP99Nanos()), l.peakThreads(),
          l.peakRssKib() / 1024.0, l.peakFds());
      rows.add(Map.of("mode", label(l.mode()), "connections", l.connections(), "answered", l.load().getAnswered(),
          "requests_per_s", l.requestsPerSecond(), "p50_ms", Stats.millis(l.load().getP50Nanos()), "p99_ms",
          Stats.millis(l.load().getP99Nanos()), "kernel_threads", l.peakThreads(), "rss_kib", l.peakRssKib(),
          "fds", l.peakFds(), "first_failure", l.load().getFirstFailure()));
    }
    Table.Builder atTop = Table.of(top + " connections at once, one request each waiting " + BACKEND_MILLIS
        + " ms; the server seen from /proc", "server", "answered", "requests/s", "p50 (ms)", "p99 (ms)",
        "kernel threads", "RSS (MiB)", "open fds");
    levels.stream().filter(l -> l.connections() == top).forEach(l -> atTop.row(label(l.mode()),
        l.load().getAnswered(), Math.round(l.requestsPerSecond()), Stats.millis(l.load().getP50Nanos()),
        Stats.millis(l.load().getP99Nanos()), l.peakThreads(), l.peakRssKib() / 1024.0, l.peakFds()));
    result.keyTable(atTop.build()).table(table.build())
        .evidence("levels", rows)
        .evidence("server_pids", serverPids.values().stream().toList())
        .evidence("limits", limits.asMap());
    stopped.forEach((mode, s) -> result.evidence(key(mode) + "_refused", s.getRefused())
        .evidence(key(mode) + "_first_refusal", s.getFirstRefusal()));
    result.note("Limits that bound a thread per connection here: " + limits.describe() + ". HotSpot raises"
        + " a JVM's soft open-files limit to the hard one at start (-XX:+MaxFDLimit, on by default), so each"
        + " worker may open up to the hard limit; each connection is one fd in the server and one in the load"
        + " generator.")
        .note("The load generator holds every connection on one Netty event loop, connecting " + 256 + " at a"
            + " time, and resets each after its answer (SO_LINGER 0), so no TIME_WAIT is left behind.");

    Level loop = find(levels, WebServerMode.WEB_SERVER_MODE_EVENT_LOOP, top);
    Level virtual = find(levels, WebServerMode.WEB_SERVER_MODE_VIRTUAL_THREADS, top);
    Level platform = find(levels, WebServerMode.WEB_SERVER_MODE_PLATFORM_THREADS, top);
    WebStopped platformStop = stopped.get(WebServerMode.WEB_SERVER_MODE_PLATFORM_THREADS);
    result.shows(String.format(Locale.ROOT, "Each request spends %d ms waiting; what differs is what holds"
            + " a waiting request. An event loop: a timer and a registered socket, %d threads, %.0f MiB for %d"
            + " connections. A virtual thread: a parked continuation on the heap, %d threads, %.0f MiB. A platform"
            + " thread: a kernel thread with a stack, %d threads, %.0f MiB%s. Requests/s: %.0f, %.0f, %.0f.", BACKEND_MILLIS, loop.peakThreads(),
        loop.peakRssKib() / 1024.0, top, virtual.peakThreads(), virtual.peakRssKib() / 1024.0,
        platform.peakThreads(), platform.peakRssKib() / 1024.0, platformStop.getRefused() > 0
            ? ", and " + platformStop.getRefused() + " connections got no thread (" + platformStop.getFirstRefusal()
            + ")" : "", loop.requestsPerSecond(), virtual.requestsPerSecond(), platform.requestsPerSecond()));
    long pid = serverPids.get(WebServerMode.WEB_SERVER_MODE_EVENT_LOOP);
    result.command("grep -E 'Threads|VmRSS' /proc/" + pid + "/status", "the event-loop server: tens of threads")
        .command("grep -E 'Max (open files|processes)' /proc/" + pid + "/limits; cat /proc/sys/kernel/threads-max",
            "the limits a thread per connection runs into")
        .command("ss -tn state established | grep -c 127.0.0.1", "during a run: the connections held on loopback");

    if (!skipped.isEmpty()) {
      result.note("Skipped for time (the loads' budget of " + BUDGET_MILLIS / 1000 + " s was spent): "
          + String.join(", ", skipped) + ".");
    }
    Level slowest = levels.stream().max(java.util.Comparator.comparingLong(l -> l.load().getConnectNanos()))
        .orElseThrow();
    if (loop.load().getConnected() < top || virtual.load().getConnected() < top) {
      Level short_ = loop.load().getConnected() < top ? loop : virtual;
      return result.build(Verdict.notApplicable("the load generator opened only " + short_.load().getConnected()
          + " of " + top + " connections to the " + label(short_.mode()) + " server within "
          + LOAD_TIME_LIMIT_MILLIS / 1000 + " s (" + short_.load().getFirstFailure() + "); the slowest level took "
          + Check.format(Stats.millis(slowest.load().getConnectNanos()), "ms") + " to connect: this machine is"
          + " too busy or too small for it. " + limits.describe()));
    }
    if (platformStop.getRefused() == 0 && platform.load().getFirstFailure().isEmpty()
        && platform.load().getAnswered() < top) {
      // Neither refused nor failed, only not done: whether a thread per connection would have served them all, or
      // hit a limit, this run cannot say.
      return result.build(Verdict.notApplicable("the thread-per-connection server answered "
          + platform.load().getAnswered() + " of " + top + " connections' requests within the load's "
          + LOAD_TIME_LIMIT_MILLIS / 1000 + " s, with no thread refused and no error: it neither served them all nor"
          + " hit a limit in the time this machine gave it. " + limits.describe()));
    }
    List<Check> checks = new ArrayList<>();
    checks.add(Check.equal("event loop: requests answered of " + top, loop.load().getAnswered(), top));
    checks.add(Check.equal("virtual threads: requests answered of " + top, virtual.load().getAnswered(), top));
    checks.add(Check.atMost("event loop: the server's kernel threads (/proc Threads:)", loop.peakThreads(),
        TENS - 1, "threads"));
    checks.add(Check.atMost("virtual threads: the server's kernel threads", virtual.peakThreads(), TENS - 1,
        "threads"));
    checks.add(Check.between("requests/s, virtual threads ÷ event loop", virtual.requestsPerSecond()
        / loop.requestsPerSecond(), 0.5, 2, "×"));
    if (platformStop.getRefused() > 0 || platform.load().getAnswered() < top) {
      checks.add(Check.that("platform threads: stopped at a limit of the OS, named",
          !platformStop.getFirstRefusal().isEmpty() || !platform.load().getFirstFailure().isEmpty(),
          "a named limit", platformStop.getRefused() + " refused: " + platformStop.getFirstRefusal() + "; "
          + platform.load().getFirstFailure() + "; " + limits.describe()));
    } else {
      checks.add(Check.atLeast("platform threads: the server's kernel threads", platform.peakThreads(),
          0.9 * top, "threads"));
      checks.add(Check.atLeast("platform threads ÷ virtual threads, server RSS", (double) platform.peakRssKib()
          / virtual.peakRssKib(), 2, "×"));
    }
    return result.build(Verdict.of(checks));
  }

  private static Level level(PoolWorker server, PoolWorker loader, WebServerMode mode, int n, int port)
      throws IOException, InterruptedException {
    CompletableFuture<TaskCall.Reply<WebLoadResult>> load = TaskCall.async(loader, "web-server.load",
        WebLoad.newBuilder().setPort(port).setConnections(n).setTimeLimitMillis(LOAD_TIME_LIMIT_MILLIS).build(),
        WebLoadResult.parser(), Duration.ofMillis(LOAD_TIME_LIMIT_MILLIS + 20_000));
    int threads = 0;
    long rss = 0;
    int fds = 0;
    long nextFds = 0;
    while (!load.isDone()) {
      ProcStatus status = ProcStatus.read(server.pid()).orElseThrow(() -> new IOException(server.name()
          + " (pid " + server.pid() + ") vanished while serving " + n + " connections"));
      threads = Math.max(threads, status.threads());
      rss = Math.max(rss, status.rssKib());
      if (System.nanoTime() > nextFds) { // listing 10,000 fds costs more: every 50 ms
        fds = Math.max(fds, fds(server.pid()));
        nextFds = System.nanoTime() + 50_000_000;
      }
      Thread.sleep(10);
    }
    return new Level(mode, n, TaskCall.await(load).value(), threads, rss, fds);
  }

  private static int fds(long pid) {
    try (Stream<Path> all = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return (int) all.count();
    } catch (IOException | java.io.UncheckedIOException e) {
      return 0;
    }
  }

  private static Level find(List<Level> levels, WebServerMode mode, int n) {
    return levels.stream().filter(l -> l.mode() == mode && l.connections() == n).findFirst().orElseThrow();
  }

  static String label(WebServerMode mode) {
    return switch (mode) {
      case WEB_SERVER_MODE_PLATFORM_THREADS -> "platform thread per connection";
      case WEB_SERVER_MODE_VIRTUAL_THREADS -> "virtual thread per connection";
      case WEB_SERVER_MODE_EVENT_LOOP -> "one event loop (Netty)";
      default -> mode.name();
    };
  }

  private static String key(WebServerMode mode) {
    return mode.name().substring("WEB_SERVER_MODE_".length()).toLowerCase(Locale.ROOT);
  }

  /** The OS limits a thread per connection can meet, as this machine has them. */
  record Limits(String openFiles, String processes, String threadsMax, String pidMax) {
    static Limits of(long pid) {
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
      return new Limits(files, procs, read("/proc/sys/kernel/threads-max"), read("/proc/sys/kernel/pid_max"));
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

    Map<String, Object> asMap() {
      return Map.of("open_files", openFiles, "max_processes", processes, "threads_max", threadsMax, "pid_max",
          pidMax);
    }
  }
}
