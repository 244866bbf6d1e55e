package dev.ipclab.demos.worker.asyncio;

import dev.ipclab.demos.os.EpollView;
import dev.ipclab.demos.os.ProcFds;
import dev.ipclab.demos.proto.v1.AsyncIoFetch;
import dev.ipclab.demos.proto.v1.AsyncIoImageRef;
import dev.ipclab.demos.proto.v1.AsyncIoLoad;
import dev.ipclab.demos.proto.v1.AsyncIoLoadResult;
import dev.ipclab.demos.proto.v1.AsyncIoLoopSeen;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The browser: loads the page of images one after another, with a thread per image, or on one event-loop thread,
 * writes every image to its file with an AsynchronousFileChannel, and reports when each started and ended and
 * which threads did the work.
 */
final class PageLoader {
  static final String FILE_THREAD = "page-file";
  private static final long PAGE_TIMEOUT_SECONDS = 60;

  private PageLoader() {}

  static AsyncIoLoadResult load(AsyncIoLoad request) throws Exception {
    Path dir = Path.of(request.getDirectory());
    if (!Files.isDirectory(dir)) {
      throw new IOException("no directory " + dir + " to write the images into; the parent creates it");
    }
    List<AsyncIoImageRef> images = request.getImagesList();
    if (images.isEmpty()) {
      throw new IllegalArgumentException("a page needs at least one image");
    }
    AsyncIoLoadResult.Builder result = AsyncIoLoadResult.newBuilder().setMode(request.getMode());
    List<AsyncIoFetch> fetches;
    Set<Long> ioTids = new TreeSet<>();
    long pageStart;
    try (ThreadProbe probe = ThreadProbe.start()) {
      // One thread for the file channels, created with the load so the probe counts it as the load's.
      ExecutorService fileThread = Executors.newSingleThreadExecutor(
          r -> Thread.ofPlatform().name(FILE_THREAD).daemon().unstarted(r));
      try {
        pageStart = System.nanoTime();
        fetches = switch (request.getMode()) {
          case ASYNC_IO_MODE_SYNC -> sync(images, dir, fileThread);
          case ASYNC_IO_MODE_THREADS -> threads(images, dir, fileThread);
          case ASYNC_IO_MODE_ASYNC -> async(images, dir, fileThread, ioTids, probe, result::setLoopSeen);
          default -> throw new IllegalArgumentException("no load mode given: " + request.getMode());
        };
      } finally {
        fileThread.shutdownNow();
      }
      probe.close(); // the last sample (the async mode took it already, before its event loop shut down)
      result.setThreadsBefore(probe.before()).setThreadsPeak(probe.peak())
          .addAllNewThreadNames(probe.newThreadNames());
    }
    fetches.forEach(f -> ioTids.add(f.getIoTid()));
    return result.setPageStartNanos(pageStart)
        .setPageEndNanos(fetches.stream().mapToLong(AsyncIoFetch::getEndNanos).max().orElse(pageStart))
        .addAllFetches(fetches)
        .addAllIoTids(ioTids)
        .build();
  }

  /** One image after another, all on this task thread. */
  private static List<AsyncIoFetch> sync(List<AsyncIoImageRef> images, Path dir, ExecutorService fileThread)
      throws Exception {
    List<AsyncIoFetch> fetches = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      fetches.add(fetchAndWrite(i, images.get(i), dir, fileThread));
    }
    return fetches;
  }

  /** A platform thread per image, all started at once; each blocks in its own read. */
  private static List<AsyncIoFetch> threads(List<AsyncIoImageRef> images, Path dir, ExecutorService fileThread)
      throws Exception {
    AtomicReferenceArray<AsyncIoFetch> fetches = new AtomicReferenceArray<>(images.size());
    AtomicReferenceArray<Exception> failures = new AtomicReferenceArray<>(images.size());
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      int index = i;
      threads.add(Thread.ofPlatform().name("page-get-" + (i + 1)).daemon().start(() -> {
        try {
          fetches.set(index, fetchAndWrite(index, images.get(index), dir, fileThread));
        } catch (Exception e) {
          failures.set(index, e);
        }
      }));
    }
    for (Thread t : threads) {
      if (!t.join(java.time.Duration.ofSeconds(PAGE_TIMEOUT_SECONDS))) {
        throw new TimeoutException(t.getName() + " still loading after " + PAGE_TIMEOUT_SECONDS + " s");
      }
    }
    List<AsyncIoFetch> done = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      if (failures.get(i) != null) {
        throw new IOException("image " + (i + 1) + ": " + failures.get(i).getMessage(), failures.get(i));
      }
      done.add(fetches.get(i));
    }
    return done;
  }

  /** Every request at once on one event-loop thread; this task thread only waits for the last file. */
  private static List<AsyncIoFetch> async(List<AsyncIoImageRef> images, Path dir, ExecutorService fileThread,
      Set<Long> ioTids, ThreadProbe probe, Consumer<AsyncIoLoopSeen> loopSeen) throws Exception {
    try (NettyBrowser browser = new NettyBrowser()) {
      List<CompletableFuture<AsyncIoFetch>> pending = new ArrayList<>();
      List<CompletableFuture<Void>> sent = new ArrayList<>();
      for (int i = 0; i < images.size(); i++) {
        AsyncIoImageRef image = images.get(i);
        Path file = dir.resolve(image.getFileName());
        CompletableFuture<Void> written = new CompletableFuture<>();
        sent.add(written);
        pending.add(browser.get(i, image.getUrl(), written)
            .thenCompose(d -> ImageFiles.write(file, d.body(), fileThread)
                .thenApply(w -> fetch(d, w, System.nanoTime()))));
      }
      loopSeen.accept(seeLoop(sent, browser));
      try {
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(PAGE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
      ioTids.addAll(browser.callbackTids());
      // Stop counting before the event loop shuts down: Netty notifies its termination on a helper thread
      // (globalEventExecutor) that belongs to the teardown, not to the page.
      probe.close();
      return pending.stream().map(CompletableFuture::join).toList();
    }
  }

  /**
   * The browser's event loop once every request is written: each socket then waits for its answer, registered
   * with the loop's epoll, until the fastest server's latency has passed.
   */
  private static AsyncIoLoopSeen seeLoop(List<CompletableFuture<Void>> sent, NettyBrowser browser)
      throws InterruptedException {
    try {
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(PAGE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return AsyncIoLoopSeen.getDefaultInstance(); // the load itself reports the failure
    }
    long tid = browser.callbackTids().stream().findFirst().orElse(0L);
    long pid = ProcessHandle.current().pid();
    String wchan = EpollView.wchan(pid, tid);
    for (int i = 0; i < 10 && wchan.equals("(running)"); i++) {
      Thread.sleep(1); // the loop runs the last write's listener, then goes back to its epoll_wait
      wchan = EpollView.wchan(pid, tid);
    }
    EpollView epoll = EpollView.of(pid).stream().max(Comparator.comparingInt(e -> e.watched().size()))
        .orElse(new EpollView(-1, List.of()));
    Set<Integer> sockets = ProcFds.list(pid).stream().filter(fd -> fd.kind().equals("socket"))
        .map(ProcFds.Fd::fd).collect(Collectors.toSet());
    return AsyncIoLoopSeen.newBuilder().setTid(tid).setWchan(wchan).setEpollFd(epoll.fd())
        .addAllWatchedFds(epoll.watched())
        .setWatchedSockets((int) epoll.watched().stream().filter(sockets::contains).count()).build();
  }

  /** The blocking way: GET on this thread, then write the file and wait for the write. */
  private static AsyncIoFetch fetchAndWrite(int index, AsyncIoImageRef image, Path dir, ExecutorService fileThread)
      throws Exception {
    Download d = BlockingBrowser.get(index, image.getUrl());
    ImageFiles.Written written = ImageFiles.write(dir.resolve(image.getFileName()), d.body(), fileThread).get(
        PAGE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    return fetch(d, written, System.nanoTime());
  }

  private static AsyncIoFetch fetch(Download d, ImageFiles.Written written, long endNanos) {
    return AsyncIoFetch.newBuilder()
        .setIndex(d.index())
        .setStartNanos(d.startNanos())
        .setReceivedNanos(d.receivedNanos())
        .setEndNanos(endNanos)
        .setIoTid(d.ioTid())
        .setIoThread(d.ioThread())
        .setFileTid(written.fileTid())
        .setBytes(d.body().length)
        .setSha256(ImageFiles.sha256(d.body()))
        .setFileBytes(written.fileBytes())
        .setPath(written.path().toAbsolutePath().toString())
        .build();
  }
}
