package dev.ipclab.demos;

import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.demos.evidence.AsyncIoEvidence;
import dev.ipclab.demos.os.ListeningSockets;
import dev.ipclab.demos.proto.v1.AsyncIoImageRef;
import dev.ipclab.demos.proto.v1.AsyncIoLoad;
import dev.ipclab.demos.proto.v1.AsyncIoLoadResult;
import dev.ipclab.demos.proto.v1.AsyncIoLoopSeen;
import dev.ipclab.demos.proto.v1.AsyncIoMode;
import dev.ipclab.demos.proto.v1.AsyncIoServe;
import dev.ipclab.demos.proto.v1.AsyncIoServeResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * {@code async-io}: a browser process loads a page of images from image servers (each its own process, each with
 * its own latency) one after another, with a thread per image, and with a non-blocking client on one event-loop
 * thread; the page takes the sum of the latencies the first way and about the largest one the other two, and
 * the non-blocking way needs a single thread for all the network IO.
 */
public final class AsyncIoDemo implements Demo {
  /** Each server's latency, slowest first; the first image is also the biggest. */
  static final long[] LATENCY_MS = {800, 300, 200, 100};
  static final long[] SIZE_BYTES = {2L << 20, 256L << 10, 128L << 10, 64L << 10};
  static final int SERVERS = LATENCY_MS.length;
  /** A sequential page waits for every latency in turn: at least this share of their sum (timer slack). */
  static final double SYNC_FLOOR = 0.9;
  /** An overlapped page may exceed the largest latency by at most this share of the other latencies. */
  static final double OVERLAP_SLACK = 0.5;
  /** The async load adds its event-loop thread and the file channel's thread, nothing per image. */
  static final int ASYNC_MAX_NEW_THREADS = 2;
  private static final String SERVE = "async-io.serve";
  private static final String LOAD = "async-io.load";

  @Override
  public String name() {
    return "async-io";
  }

  @Override
  public String claim() {
    return "Non-blocking IO overlaps slow requests on one thread: a page takes the slowest, not the sum.";
  }

  @Override
  public DemoResult run(DemoContext context) throws Exception {
    long sum = LongStream.of(LATENCY_MS).sum();
    long max = LongStream.of(LATENCY_MS).max().orElseThrow();
    double overlapBound = max + OVERLAP_SLACK * (sum - max);
    DemoResult.Builder result = DemoResult.builder(this)
        .transport(context.transport().cliName())
        .prediction("waits of " + Arrays.toString(LATENCY_MS) + " ms: ≈ " + sum + " ms one by one (the sum), ≈ " + max
            + " ms overlapped.");
    context.progress("starting " + SERVERS + " image servers and a browser, " + (SERVERS + 1) + " workers over "
        + context.transport().cliName());
    WorkerPool pool = context.startPool(SERVERS + 1);
    PoolWorker browser = pool.worker(SERVERS + 1);
    List<AsyncIoServer> servers = serve(pool, result);
    result.pid("browser (" + browser.name() + ")", browser.pid());
    List<Check> checks = new ArrayList<>();
    checks.add(listening(servers));

    Path dir = Files.createTempDirectory("ipclab-" + ProcessHandle.current().pid() + "-async-io-");
    context.track(() -> deleteTree(dir));
    // A cold JVM spends hundreds of milliseconds loading and compiling the HTTP code on its first request, on
    // both ends; that is not the cost being measured. One async page warms every server and the async client,
    // the smallest image warms the blocking client.
    context.progress("warming up: every server once, and each of the browser's clients");
    load(browser, AsyncIoMode.ASYNC_IO_MODE_ASYNC, servers, dir.resolve("warm-up-async"));
    for (AsyncIoMode mode : List.of(AsyncIoMode.ASYNC_IO_MODE_SYNC, AsyncIoMode.ASYNC_IO_MODE_THREADS)) {
      load(browser, mode, servers.subList(SERVERS - 1, SERVERS), dir.resolve("warm-up-" + modeDir(mode)));
    }
    context.progress("loading the page one image after another");
    AsyncIoPage sync = new AsyncIoPage("one by one (blocking)",
        load(browser, AsyncIoMode.ASYNC_IO_MODE_SYNC, servers, dir.resolve("sync")), servers);
    context.progress("loading the page with a thread per image");
    AsyncIoPage threads = new AsyncIoPage("thread per image (blocking)",
        load(browser, AsyncIoMode.ASYNC_IO_MODE_THREADS, servers, dir.resolve("threads")), servers);
    context.progress("loading the page asynchronously on one event-loop thread");
    AsyncIoPage async = new AsyncIoPage("all at once (non-blocking)",
        load(browser, AsyncIoMode.ASYNC_IO_MODE_ASYNC, servers, dir.resolve("async")), servers);
    for (AsyncIoPage page : List.of(sync, threads, async)) {
      page.trace(context.trace(), browser.pid());
    }

    Table.Builder summary = Table.of("The page three ways (÷ predicted: the sum one by one,"
        + " else the largest)", "mode", "page (ms)", "÷ predicted", "network threads",
        "threads it started");
    for (AsyncIoPage page : List.of(sync, threads, async)) {
      summary.row(page.mode(), page.pageMillis(), page.pageMillis() / (page == sync ? sum : max), page.ioThreads(),
          ThreadNames.compact(page.loadThreads()));
    }
    result.keyTable(summary.build()).table(sync.table()).table(threads.table()).table(async.table());
    AsyncIoLoopSeen loop = async.load().getLoopSeen();
    result.table(Table.of("The browser's event loop once all " + SERVERS + " requests were sent (/proc/"
        + browser.pid() + ")", "thread (tid)", "sleeps in (wchan)", "epoll fd", "fds it watches (tfd: lines"
        + " of fdinfo)", "sockets among them").row(loop.getTid(), loop.getWchan(), loop.getEpollFd(),
        loop.getWatchedFdsList().toString(), loop.getWatchedSockets()).build());

    int intact = sync.intactOnDisk() + threads.intactOnDisk() + async.intactOnDisk();
    checks.add(Check.equal("images intact (size and SHA-256 as served; files re-read by the parent)", intact,
        3 * SERVERS));
    checks.add(Check.atLeast("one after another: page time", sync.pageMillis(), SYNC_FLOOR * sum, "ms"));
    checks.add(Check.equal("one after another: images that overlapped the one before", sync.overlaps(), 0));
    checks.add(Check.atMost("a thread per image: page time", threads.pageMillis(), overlapBound, "ms"));
    checks.add(Check.equal("a thread per image: threads that did network IO", threads.ioThreads(), SERVERS));
    checks.add(Check.atLeast("a thread per image: threads the load started in the browser",
        threads.loadThreads().size(), SERVERS, "threads"));
    checks.add(Check.atMost("non-blocking: page time", async.pageMillis(), overlapBound, "ms").asKey());
    checks.add(Check.equal("non-blocking: threads that did network IO", async.ioThreads(), 1).asKey());
    checks.add(Check.atMost("non-blocking: threads the load started in the browser", async.loadThreads().size(),
        ASYNC_MAX_NEW_THREADS, "threads"));

    result.evidence(new AsyncIoEvidence(servers.stream().map(AsyncIoDemo::evidence).toList(), sum, max,
        overlapBound, dir.toString(), sync.evidence(), threads.evidence(), async.evidence(), loop.getWchan(),
        List.copyOf(loop.getWatchedFdsList()), loop.getWatchedSockets()));
    commands(result, servers, browser, async, dir);
    result.note("Every way writes its files through one more thread, page-file (the JDK's file-channel pool), so"
        + " 'threads the load started' is the network threads plus that one. 'Alive at once' is the peak of"
        + " Threads: in /proc/self/status sampled during the load; it is lower when a thread ended before"
        + " another began or between two samples.");
    result.shows(String.format(java.util.Locale.ROOT, "A browser worker loads a page of %4$d images from %4$d"
        + " server workers. Blocking IO needs a thread per request in flight: one thread took %1$.0f ms, the sum,"
        + " %2$d threads %3$.0f ms. Non-blocking, one thread sent all %4$d requests and the kernel said which"
        + " socket was ready: %5$.0f ms (page-file writes to disk). To the OS an event loop is one thread asleep"
        + " on an epoll fd (a kernel object that watches many sockets): once every request was sent, the"
        + " browser's loop thread (tid %6$d) slept in %7$s, its epoll fd watching %8$d sockets, one per image still"
        + " waiting; an image server's loop, below, looks the same.",
        sync.pageMillis(), SERVERS, threads.pageMillis(), SERVERS, async.pageMillis(), loop.getTid(),
        loop.getWchan(), loop.getWatchedSockets()));
    result.note("Times are offsets from the page's start in the browser's clock (CLOCK_MONOTONIC). 'written'"
        + " includes the AsynchronousFileChannel write: on Linux the JDK runs it as a plain pwrite on a pool"
        + " thread (page-file), as Python's aiofiles does, so it is the one extra thread of the non-blocking way.")
        .note("Before measuring, the browser loaded the page once asynchronously and the smallest image with"
            + " each blocking client (not measured), so class loading and JIT on either end are not counted.");
    return result.build(Verdict.of(checks));
  }

  /** Makes workers 1..SERVERS image servers, all at once, and records their PIDs. */
  private static List<AsyncIoServer> serve(WorkerPool pool, DemoResult.Builder result)
      throws IOException, InterruptedException {
    List<CompletableFuture<TaskCall.Reply<AsyncIoServeResult>>> started = new ArrayList<>();
    for (int i = 0; i < SERVERS; i++) {
      AsyncIoServe request = AsyncIoServe.newBuilder().setLatencyMs((int) LATENCY_MS[i]).setSizeBytes(SIZE_BYTES[i])
          .setSeed(i + 1).build();
      started.add(TaskCall.async(pool.worker(i + 1), SERVE, request, AsyncIoServeResult.parser(),
          TaskCall.DEFAULT_TIMEOUT));
    }
    List<AsyncIoServer> servers = new ArrayList<>();
    for (int i = 0; i < SERVERS; i++) {
      PoolWorker w = pool.worker(i + 1);
      AsyncIoServeResult served = TaskCall.await(started.get(i)).value();
      servers.add(new AsyncIoServer(i + 1, w.name(), w.pid(), LATENCY_MS[i], served));
      result.pid("server " + (i + 1) + " (" + w.name() + ")", w.pid());
    }
    return servers;
  }

  /** Each server's reported port is a LISTEN socket on loopback whose inode is among that server's fds. */
  private static Check listening(List<AsyncIoServer> servers) throws IOException {
    List<String> seen = new ArrayList<>();
    boolean all = true;
    for (AsyncIoServer s : servers) {
      var owned = ListeningSockets.socketInodes(s.pid());
      boolean ok = false;
      for (ListeningSockets.Listener l : ListeningSockets.onPort(s.port())) {
        ok |= l.loopbackOnly() && owned.contains(l.inode());
        seen.add(l.address() + ":" + l.port() + (owned.contains(l.inode()) ? " pid " + s.pid() : " other pid"));
      }
      all &= ok;
    }
    return Check.that("each server listens on its port, on 127.0.0.1 only, in its own process (/proc/net/tcp*)",
        all, SERVERS + " loopback listeners, one per server pid", seen.toString());
  }

  private static AsyncIoLoadResult load(PoolWorker browser, AsyncIoMode mode, List<AsyncIoServer> servers,
      Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    AsyncIoLoad.Builder request = AsyncIoLoad.newBuilder().setMode(mode).setDirectory(dir.toString());
    for (AsyncIoServer s : servers) {
      request.addImages(AsyncIoImageRef.newBuilder().setUrl(s.url()).setSizeBytes(s.served().getSizeBytes())
          .setSha256(s.served().getSha256()).setFileName(s.fileName()));
    }
    return TaskCall.call(browser, LOAD, request.build(), AsyncIoLoadResult.parser()).value();
  }

  /** A server as evidence. */
  private static AsyncIoEvidence.ImageServer evidence(AsyncIoServer s) {
    return new AsyncIoEvidence.ImageServer(s.number(), s.pid(), s.port(), s.latencyMillis(),
        s.served().getSizeBytes());
  }

  private static void commands(DemoResult.Builder result, List<AsyncIoServer> servers, PoolWorker browser,
      AsyncIoPage async, Path dir) {
    AsyncIoServer slow = servers.get(0);
    String ports = String.join("|", servers.stream().map(s -> Integer.toString(s.port())).toList());
    result.command("cat /proc/" + slow.pid() + "/task/" + slow.served().getEventLoopTid() + "/wchan; echo; grep -H"
            + " ^tfd /proc/" + slow.pid() + "/fdinfo/*", "image server's loop (tid "
            + slow.served().getEventLoopTid() + "): in epoll_wait; what it watches")
        .command("ss -ltnp | grep -E ':(" + ports + ") '", "the " + SERVERS + " servers listening on loopback,"
            + " one per worker pid; Java's IPv6 socket shows 127.0.0.1 as [::ffff:127.0.0.1]")
        .command("curl -s -o /dev/null -w '%{time_total}\\n' " + slow.url(), "≈ " + slow.latencyMillis() / 1000.0
            + " s: the slowest server's latency")
        .command("curl -s " + slow.url() + " | sha256sum", "= " + slow.served().getSha256())
        .command("ps -L -o pid,tid,comm -p " + slow.pid(), "one img-server thread serves every request")
        .command("ps -L -o pid,tid,comm -p " + browser.pid(), "the browser; the page-* threads ended with each load,"
            + " the event loop was tid " + async.load().getIoTidsList())
        .command("ls -l " + dir.resolve("async"), "the downloaded images (until the demo's context closes)")
        .command("pstree -p " + ProcessHandle.current().pid(), "the parent, " + SERVERS + " servers and the browser");
  }

  private static String modeDir(AsyncIoMode mode) {
    return switch (mode) {
      case ASYNC_IO_MODE_SYNC -> "sync";
      case ASYNC_IO_MODE_THREADS -> "threads";
      case ASYNC_IO_MODE_ASYNC -> "async";
      default -> throw new IllegalArgumentException("no mode: " + mode);
    };
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
