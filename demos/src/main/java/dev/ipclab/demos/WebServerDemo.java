package dev.ipclab.demos;

import dev.ipclab.demos.evidence.WebServerEvidence;
import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.demos.proto.v1.WebConnected;
import dev.ipclab.demos.proto.v1.WebLoad;
import dev.ipclab.demos.proto.v1.WebLoadResult;
import dev.ipclab.demos.proto.v1.WebSend;
import dev.ipclab.demos.proto.v1.WebServe;
import dev.ipclab.demos.proto.v1.WebServerMode;
import dev.ipclab.demos.proto.v1.WebServing;
import dev.ipclab.demos.proto.v1.WebStop;
import dev.ipclab.demos.proto.v1.WebStopped;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.WorkerPool;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

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
  static final int LOAD_TIME_LIMIT_MILLIS = 5_000;
  /** How long the four worker JVMs, started together, may take to be ready. */
  static final Duration STARTS_TIMEOUT = Duration.ofSeconds(30);
  /** The whole demo's budget for its loads: levels left when it is spent are skipped, and the verdict says so. */
  static final long BUDGET_MILLIS = 8_000;
  /** How long a server's open fds and threads may stay unchanged before it is taken to have settled. */
  static final long STALL_NANOS = 2_000_000_000L;
  /**
   * Fds and threads a server starts once, on its first connections, and keeps: the pollers behind virtual
   * threads' IO and their carriers.
   */
  static final int IDLE_SLACK = 16;
  /** How long a round's last few accepts (at most {@link #IDLE_SLACK}) may take before its count is taken as is. */
  static final long SETTLE_NANOS = 300_000_000L;
  /** The least time the answers get: the backend's wait and a margin for a busy machine. */
  static final long MIN_ANSWER_WAIT_MILLIS = 3_000;
  /** "Tens of kernel threads": what the event loop and the virtual threads must stay under at the top level. */
  static final int TENS = 100;
  /** A kernel thread per connection, with room for a connection accepted between the reads of fds and threads. */
  public static final double ONE_EACH = 0.8;
  /** Connections the platform-thread server must hold at once for its per-connection figures to mean much. */
  public static final int MIN_HELD = 1_000;
  /** "About the same throughput": within this factor either way. */
  static final double SAME_ORDER = 3;
  static final List<WebServerMode> MODES = List.of(WebServerMode.WEB_SERVER_MODE_EVENT_LOOP,
      WebServerMode.WEB_SERVER_MODE_VIRTUAL_THREADS, WebServerMode.WEB_SERVER_MODE_PLATFORM_THREADS);

  @Override
  public String name() {
    return "web-server";
  }

  @Override
  public String claim() {
    return "A waiting request costs a kernel thread only with a platform thread per connection.";
  }

  /**
   * What the parent saw of one server under one level of load, from /proc: idle just before, holding every
   * connection the load opened (none answered yet), and the peaks sampled while the requests waited.
   *
   * @param holdMillis from the first connect until the server was read holding them all, or connecting stopped
   * @param stalled whether connecting stopped because the server took none for {@link #STALL_NANOS}, rather than
   *     because all were held or the load's time ran out
   */
  record Level(WebServerMode mode, int connections, WebLoadResult load, ServerProbe.Sample before,
      ServerProbe.Sample held,
      int peakThreads, long peakRssKib, long elapsedMillis, long holdMillis, boolean stalled) {
    double requestsPerSecond() {
      return load.getElapsedNanos() == 0 ? 0 : load.getAnswered() / (load.getElapsedNanos() / 1e9);
    }

    /**
     * Connections the server held at once: its open fds beyond those it had idle, but no more than the load
     * opened, since a virtual-thread server also opens the fds of its IO pollers on its first connections.
     */
    int heldConnections() {
      return Math.min(load.getConnected(), Math.max(0, held.fds() - before.fds()));
    }

    /** Kernel threads the server added per connection it held, both read at the same moment. */
    double threadsPerConnection() {
      return heldConnections() == 0 ? 0 : Math.max(0, held.threads() - before.threads()) / (double) heldConnections();
    }

    /** Resident KiB the server added per connection it held, at its peak. */
    double rssKibPerConnection() {
      return heldConnections() == 0 ? 0 : Math.max(0, peakRssKib - before.rssKib()) / (double) heldConnections();
    }

    int peakFds() {
      return held.fds();
    }
  }

  @Override
  public DemoResult run(DemoContext context) throws Exception {
    int top = LEVELS.getLast();
    DemoResult.Builder result = DemoResult.builder(this).transport(context.transport().cliName())
        .prediction("at " + top + " connections, tens of kernel threads (event loop, virtual), " + top
            + " (platform).");
    context.progress("starting " + MODES.size() + " server workers and a load generator over "
        + context.transport().cliName());
    // All at once, before any load, so no start competes with a measurement; the JVMs share two CPUs then, so
    // the handshake gets longer than its default.
    long startsBegan = System.nanoTime();
    WorkerPool pool = context.startPool(1 + MODES.size(), b -> b.handshakeTimeout(STARTS_TIMEOUT)
        .readyTimeout(STARTS_TIMEOUT));
    PoolWorker loader = pool.worker(1);
    long startsMillis = (System.nanoTime() - startsBegan) / 1_000_000;
    result.pid("load generator", loader.pid());
    ServerLimits limits = ServerLimits.of(loader.pid());
    List<Level> levels = new ArrayList<>();
    Map<WebServerMode, WebStopped> stopped = new LinkedHashMap<>();
    Map<WebServerMode, Long> serverPids = new LinkedHashMap<>();
    long budgetEnd = System.nanoTime() + BUDGET_MILLIS * 1_000_000;
    List<String> skipped = new ArrayList<>();
    Map<WebServerMode, Long> stopMillis = new LinkedHashMap<>();
    for (int m = 0; m < MODES.size(); m++) {
      WebServerMode mode = MODES.get(m);
      PoolWorker server = pool.worker(2 + m);
      serverPids.put(mode, server.pid());
      result.pid(label(mode), server.pid());
      WebServing serving = TaskCall.call(server, "web-server.serve", WebServe.newBuilder().setMode(mode)
          .setBackendMillis(BACKEND_MILLIS).setStackBytes(STACK_BYTES).build(), WebServing.parser()).value();
      ServerProbe.Sample idle = ServerProbe.sample(server, 0);
      for (int n : LEVELS) {
        // The top level of every mode is what the verdict compares: it is never the one skipped first.
        if (System.nanoTime() > budgetEnd && n != LEVELS.getLast()) {
          skipped.add(label(mode) + " at " + n);
          continue;
        }
        context.progress(label(mode) + ": " + n + " connections at once");
        // The top level's connections stay held until its server has stopped (see WebSend.keep_connections).
        levels.add(level(server, loader, mode, n, serving.getPort(), limits.acceptRound(), idle,
            n == LEVELS.getLast()));
      }
      long stopBegan = System.nanoTime();
      stopped.put(mode, TaskCall.call(server, "web-server.stop", WebStop.getDefaultInstance(),
          WebStopped.parser()).value());
      stopMillis.put(mode, (System.nanoTime() - stopBegan) / 1_000_000);
    }

    Table.Builder table = Table.of("One request per connection, all sent at once, each waiting " + BACKEND_MILLIS
        + " ms; the server from outside (/proc/<pid>)", "server", "connections", "answered", "requests/s",
        "p50 (ms)", "p99 (ms)", "kernel threads", "RSS (MiB)", "open fds");
    List<WebServerEvidence.Level> rows = new ArrayList<>();
    for (Level l : levels) {
      table.row(label(l.mode()), l.connections(), l.load().getAnswered(), Math.round(l.requestsPerSecond()),
          Stats.millis(l.load().getP50Nanos()), Stats.millis(l.load().getP99Nanos()), l.peakThreads(),
          l.peakRssKib() / 1024.0, l.peakFds());
      rows.add(new WebServerEvidence.Level(label(l.mode()), l.connections(), l.load().getAnswered(),
          l.requestsPerSecond(), Stats.millis(l.load().getP50Nanos()), Stats.millis(l.load().getP99Nanos()),
          l.peakThreads(), l.peakRssKib(), l.peakFds(), l.heldConnections(), l.threadsPerConnection(),
          l.rssKibPerConnection(), l.load().getFirstFailure()));
    }
    Table.Builder atTop = Table.of(top + " at once, requests waiting " + BACKEND_MILLIS + " ms; held: fds"
        + " beyond idle; KiB/held: RSS added ÷ held", "server", "answered", "req/s",
        "p99 (ms)", "threads", "held", "threads/held", "RSS (MiB)", "KiB/held");
    levels.stream().filter(l -> l.connections() == top).forEach(l -> atTop.row(shortLabel(l.mode()),
        l.load().getAnswered(), Math.round(l.requestsPerSecond()), Stats.millis(l.load().getP99Nanos()),
        l.peakThreads(), l.heldConnections(), l.threadsPerConnection(), l.peakRssKib() / 1024.0,
        l.rssKibPerConnection()));
    List<WebServerEvidence.Server> servers = new ArrayList<>();
    serverPids.forEach((mode, pid) -> servers.add(new WebServerEvidence.Server(label(mode), pid,
        stopped.get(mode).getRefused(), stopped.get(mode).getFirstRefusal())));
    result.keyTable(atTop.build()).table(table.build())
        .evidence(new WebServerEvidence(List.copyOf(rows), List.copyOf(servers), limits.evidence()));
    result.note("Limits that bound a thread per connection here: " + limits.describe() + ". HotSpot raises"
        + " a JVM's soft open-files limit to the hard one at start (-XX:+MaxFDLimit, on by default), so each"
        + " worker may open up to the hard limit; each connection is one fd in the server and one in the load"
        + " generator.")
        .note("The load generator holds every connection on one Netty event loop, connecting " + 256 + " at a"
            + " time; it sends the requests once the server has been read holding them all, and resets every"
            + " connection once the answers are in (SO_LINGER 0), so no TIME_WAIT is left behind.");

    StringBuilder took = new StringBuilder("Where the demo's time went: " + (1 + MODES.size())
        + " worker JVMs started together in " + startsMillis + " ms; each level from the server back at idle to"
        + " its last answer:");
    levels.forEach(l -> took.append(' ').append(shortLabel(l.mode())).append(" at ").append(l.connections())
        .append(' ').append(l.elapsedMillis()).append(" ms,"));
    stopMillis.forEach((mode, ms) -> took.append(" stopping the ").append(shortLabel(mode)).append(" server ")
        .append(ms).append(" ms,"));
    result.note(took.substring(0, took.length() - 1) + ".");
    Level loop = find(levels, WebServerMode.WEB_SERVER_MODE_EVENT_LOOP, top);
    Level virtual = find(levels, WebServerMode.WEB_SERVER_MODE_VIRTUAL_THREADS, top);
    Level platform = find(levels, WebServerMode.WEB_SERVER_MODE_PLATFORM_THREADS, top);
    WebStopped platformStop = stopped.get(WebServerMode.WEB_SERVER_MODE_PLATFORM_THREADS);
    int cpus = Runtime.getRuntime().availableProcessors();
    // What a thread each cost in time as well: its starts, and its answers once 10,000 woke at once.
    String platformTime = (platform.heldConnections() >= top ? String.format(Locale.ROOT, " It paid in time"
            + " too, starting a thread for each: it took %s to hold all %d connections, virtual threads %s",
        Check.format(platform.holdMillis(), "ms"), top, Check.format(virtual.holdMillis(), "ms"))
        : String.format(Locale.ROOT, " It paid in time too, starting a thread for each: after %s it held only"
            + " %d of %d connections (opened in rounds of %d; %s; virtual threads held all in %s)",
            Check.format(platform.holdMillis(), "ms"), platform.heldConnections(), top, limits.acceptRound(),
            platform.stalled() ? "it took none for "
            + STALL_NANOS / 1_000_000_000 + " s" : "the load's " + LOAD_TIME_LIMIT_MILLIS / 1000 + " s ran out",
            Check.format(virtual.holdMillis(), "ms")))
        + (platform.load().getAnswered() < platform.heldConnections() ? String.format(Locale.ROOT, ", and %d"
            + " threads woken at once on %d CPUs answered only %d before its time ran out (p99 %.0f ms).",
            platform.held().threads(), cpus, platform.load().getAnswered(),
            Stats.millis(platform.load().getP99Nanos())) : ".")
        + (platformStop.getRefused() > 0 ? " " + platformStop.getRefused() + " got no thread at all ("
            + platformStop.getFirstRefusal() + ")." : "");
    // The queue explains p99 only once every request was answered: otherwise the run is not judged at all.
    String queueing = loop.load().getAnswered() < top ? "" : String.format(Locale.ROOT, " All %d requests"
        + " go at once once held (req/s counts from then): p99 is mostly queueing for %d CPUs.", top, cpus);
    result.shows(String.format(Locale.ROOT, "Every request waits %d ms for its backend; what differs is what"
            + " holds it meanwhile. Event loop: a socket registered with one thread, %d kernel threads in all (%d"
            + " before the load: the JVM's and the loop's), %.1f KiB per connection. Virtual threads: a parked"
            + " continuation on the heap, %d kernel threads, %.1f KiB per connection. Platform threads: a kernel"
            + " thread and its stack each, %d threads, %.0f KiB per connection.%s%s",
        BACKEND_MILLIS, loop.peakThreads(), loop.before().threads(), loop.rssKibPerConnection(),
        virtual.peakThreads(),
        virtual.rssKibPerConnection(), platform.peakThreads(), platform.rssKibPerConnection(), platformTime,
        queueing));
    long pid = serverPids.get(WebServerMode.WEB_SERVER_MODE_EVENT_LOOP);
    result.command("grep -E 'Threads|VmRSS' /proc/" + pid + "/status", "the event-loop server (pid " + pid
            + "): tens of threads")
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
      if (short_.stalled()) {
        return result.build(Verdict.notApplicable("the " + label(short_.mode()) + " server took no connection for "
            + STALL_NANOS / 1_000_000_000 + " s after it held " + short_.heldConnections() + " of the "
            + short_.load().getConnected() + " opened so far (of " + top + "): this machine is too busy for it, or"
            + " a limit was met. " + limits.describe()));
      }
      return result.build(Verdict.notApplicable("the load generator opened only " + short_.load().getConnected()
          + " of " + top + " connections to the " + label(short_.mode()) + " server within "
          + LOAD_TIME_LIMIT_MILLIS / 1000 + " s (" + short_.load().getFirstFailure() + "); the slowest level took "
          + Check.format(Stats.millis(slowest.load().getConnectNanos()), "ms") + " to connect: this machine is"
          + " too busy or too small for it. " + limits.describe()));
    }
    if (loop.load().getAnswered() < top || virtual.load().getAnswered() < top) {
      Level short_ = loop.load().getAnswered() < top ? loop : virtual;
      return result.build(Verdict.notApplicable("the " + label(short_.mode()) + " server answered "
          + short_.load().getAnswered() + " of " + top + " requests within the load's time (" + Check.format(
          Stats.millis(short_.load().getElapsedNanos()), "ms") + " after they were sent; first failure: '"
          + short_.load().getFirstFailure() + "'): this machine is too busy for the load. " + limits.describe()));
    }
    if (platform.heldConnections() < MIN_HELD) {
      return result.build(Verdict.notApplicable("the thread-per-connection server held only "
          + platform.heldConnections() + " connections at once (open fds beyond its idle ones) within the load's "
          + LOAD_TIME_LIMIT_MILLIS / 1000 + " s, too few to weigh a thread per connection; " + limits.describe()));
    }
    List<Check> checks = new ArrayList<>();
    checks.add(Check.atLeast("platform: kernel threads added per connection", platform
        .threadsPerConnection(), ONE_EACH, "").asKey());
    checks.add(Check.atMost("event loop: kernel threads (/proc Threads:)", loop.peakThreads(),
        TENS - 1, "threads").asKey());
    checks.add(Check.atMost("virtual threads: the server's kernel threads", virtual.peakThreads(), TENS - 1,
        "threads"));
    checks.add(Check.equal("event loop: requests answered of " + top, loop.load().getAnswered(), top));
    checks.add(Check.equal("virtual threads: requests answered of " + top, virtual.load().getAnswered(), top));
    checks.add(Check.between("requests/s, virtual threads ÷ event loop (the same order)",
        virtual.requestsPerSecond() / loop.requestsPerSecond(), 1 / SAME_ORDER, SAME_ORDER, "×"));
    checks.add(Check.atLeast("resident memory per connection held, platform ÷ virtual threads",
        platform.rssKibPerConnection() / Math.max(1, virtual.rssKibPerConnection()), 2, "×"));
    if (platformStop.getRefused() > 0) {
      checks.add(Check.that("platform threads: a thread refused by the OS, its limit named", true,
          "the OS's message", platformStop.getRefused() + " refused: " + platformStop.getFirstRefusal() + "; "
          + limits.describe()));
    }
    return result.build(Verdict.of(checks));
  }

  private static Level level(PoolWorker server, PoolWorker loader, WebServerMode mode, int n, int port,
      int round, ServerProbe.Sample idle, boolean keep) throws IOException, InterruptedException {
    long start = System.nanoTime();
    // The last level's connections, reset by the load, may still be closing in the server.
    ServerProbe.Sample before = ServerProbe.await(server, n, STALL_NANOS, s -> s.fds() <= idle.fds() + IDLE_SLACK
        && s.threads() <= idle.threads() + IDLE_SLACK);
    long holdBegan = System.nanoTime();
    long deadline = holdBegan + LOAD_TIME_LIMIT_MILLIS * 1_000_000L;
    ServerProbe.Sample held = before;
    boolean stalled = false;
    // In rounds the server accepts before the next, so its accept queue never overflows (see WebLoad).
    for (int opened = 0; opened < n && System.nanoTime() < deadline; opened += round) {
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      WebConnected connected = TaskCall.call(loader, "web-server.connect", WebLoad.newBuilder().setPort(port)
          .setConnections(Math.min(round, n - opened)).setTimeLimitMillis((int) left).build(),
          WebConnected.parser()).value();
      int expected = before.fds() + connected.getConnected();
      held = ServerProbe.await(server, n, STALL_NANOS, s -> s.fds() >= expected - IDLE_SLACK);
      if (held.fds() < expected - IDLE_SLACK) {
        stalled = true;
        break; // it stopped taking connections: a thread refused, or a limit met
      }
      held = ServerProbe.await(server, n, SETTLE_NANOS, s -> s.fds() >= expected);
      if (held.fds() < expected) {
        // A connection of the last level was still closing when `before` was read and is gone now: it was
        // never one of these, so the count settles short by as many. (Once a stall: 999 of 1000.)
        before = new ServerProbe.Sample(before.threads(), before.rssKib(), before.fds() - (expected - held.fds()));
      }
    }
    long holdMillis = (System.nanoTime() - holdBegan) / 1_000_000;
    // The answers get what connecting left of the load's time, and at least the backend's wait and a margin.
    long answerWait = Math.max((deadline - System.nanoTime()) / 1_000_000, MIN_ANSWER_WAIT_MILLIS);
    CompletableFuture<TaskCall.Reply<WebLoadResult>> load = TaskCall.async(loader, "web-server.send",
        WebSend.newBuilder().setAnswerWaitMillis((int) answerWait).setKeepConnections(keep).build(),
        WebLoadResult.parser(),
        Duration.ofMillis(answerWait + 20_000));
    int threads = held.threads();
    long rss = held.rssKib();
    while (!load.isDone()) {
      ProcStatus status = ServerProbe.status(server, n);
      threads = Math.max(threads, status.threads());
      rss = Math.max(rss, status.rssKib());
      Thread.sleep(10);
    }
    return new Level(mode, n, TaskCall.await(load).value(), before, held, threads, rss,
        (System.nanoTime() - start) / 1_000_000, holdMillis, stalled);
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

  static String shortLabel(WebServerMode mode) {
    return switch (mode) {
      case WEB_SERVER_MODE_PLATFORM_THREADS -> "platform threads";
      case WEB_SERVER_MODE_VIRTUAL_THREADS -> "virtual threads";
      case WEB_SERVER_MODE_EVENT_LOOP -> "event loop";
      default -> mode.name();
    };
  }
}
