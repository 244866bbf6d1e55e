package dev.ipclab.demos;

import dev.ipclab.demos.evidence.AsyncIoEvidence;
import dev.ipclab.demos.trace.TraceRecorder;
import dev.ipclab.demos.proto.v1.AsyncIoFetch;
import dev.ipclab.demos.proto.v1.AsyncIoLoadResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * One load of the page in one mode, read against the servers it came from: its timeline (offsets from the page's
 * start), whether the images overlapped, how many threads did the IO, and whether every image arrived intact.
 *
 * @param mode how the page was loaded, e.g. "async (1 event loop)"
 * @param load what the browser reported
 * @param servers the servers, in page order (the browser's fetches are in the same order)
 */
record AsyncIoPage(String mode, AsyncIoLoadResult load, List<AsyncIoServer> servers) {

  AsyncIoPage {
    if (load.getFetchesCount() != servers.size()) {
      throw new IllegalArgumentException(mode + ": the browser reported " + load.getFetchesCount()
          + " images of a page of " + servers.size());
    }
  }

  /**
   * Adds every image to {@code trace} as two spans in the browser {@code pid}: from its request to its last byte,
   * on the thread that read it, and from there until its file was written, on the thread that wrote it.
   */
  void trace(TraceRecorder trace, long pid) {
    for (AsyncIoFetch f : load.getFetchesList()) {
      TraceRecorder.ThreadId io = new TraceRecorder.ThreadId(pid, f.getIoTid());
      trace.thread(io, f.getIoThread());
      trace.asyncSpan(new TraceRecorder.AsyncSpan("image " + f.getIndex() + " received", mode, io,
          f.getStartNanos(), f.getReceivedNanos()));
      trace.asyncSpan(new TraceRecorder.AsyncSpan("image " + f.getIndex() + " written", mode,
          new TraceRecorder.ThreadId(pid, f.getFileTid()), f.getReceivedNanos(), f.getEndNanos()));
    }
  }

  /** From the first request to the last image written and checked, in milliseconds. */
  double pageMillis() {
    return Stats.millis(load.getPageEndNanos() - load.getPageStartNanos());
  }

  /** {@code nanos} as milliseconds after the page's start. */
  double offsetMillis(long nanos) {
    return Stats.millis(nanos - load.getPageStartNanos());
  }

  /** How many images started before the one before them had ended: 0 for a page loaded one image at a time. */
  int overlaps() {
    int overlaps = 0;
    for (int i = 1; i < load.getFetchesCount(); i++) {
      if (load.getFetches(i).getStartNanos() < load.getFetches(i - 1).getEndNanos()) {
        overlaps++;
      }
    }
    return overlaps;
  }

  /** The distinct threads that did network IO. */
  int ioThreads() {
    return load.getIoTidsCount();
  }

  /** Threads the load added to the browser process at its peak, as /proc/self/status counted them. */
  int threadGrowth() {
    return load.getThreadsPeak() - load.getThreadsBefore();
  }

  /**
   * The threads that appeared during the load, less the JIT compiler threads that HotSpot adds and removes by
   * itself on a machine with more CPUs (named "C1 CompilerThre…", "C2 CompilerThre…"): they are not the load's.
   */
  List<String> loadThreads() {
    return load.getNewThreadNamesList().stream().filter(n -> !n.matches("C\\d CompilerThre.*")).toList();
  }

  /** Whether the browser got exactly the server's bytes and wrote all of them to its file. */
  boolean intact(int i) {
    AsyncIoFetch f = load.getFetches(i);
    var served = servers.get(i).served();
    return f.getBytes() == served.getSizeBytes() && f.getFileBytes() == served.getSizeBytes()
        && f.getSha256().equals(served.getSha256());
  }

  /** Images that arrived intact by the browser's account and whose files on disk the parent re-read and matched. */
  int intactOnDisk() throws IOException {
    int ok = 0;
    for (int i = 0; i < servers.size(); i++) {
      Path file = Path.of(load.getFetches(i).getPath());
      var served = servers.get(i).served();
      if (intact(i) && Files.size(file) == served.getSizeBytes() && sha256(file).equals(served.getSha256())) {
        ok++;
      }
    }
    return ok;
  }

  /** Per image: when it started, arrived and was written, and by which threads. */
  Table table() {
    Table.Builder t = Table.of(mode + ": " + Check.format(pageMillis(), "ms") + " for the page, "
            + ioThreads() + " thread(s) did the network IO",
        "image", "server pid", "latency (ms)", "size (KiB)", "start (ms)", "arrived (ms)", "written (ms)",
        "IO thread", "IO tid", "file tid", "intact");
    for (int i = 0; i < servers.size(); i++) {
      AsyncIoFetch f = load.getFetches(i);
      AsyncIoServer s = servers.get(i);
      t.row(s.fileName(), s.pid(), s.latencyMillis(), f.getBytes() / 1024.0, offsetMillis(f.getStartNanos()),
          offsetMillis(f.getReceivedNanos()), offsetMillis(f.getEndNanos()), f.getIoThread(), f.getIoTid(),
          f.getFileTid(), intact(i) ? "yes" : "NO");
    }
    return t.build();
  }

  /** This load as evidence, with its timeline for a waterfall chart. */
  AsyncIoEvidence.Page evidence() {
    return new AsyncIoEvidence.Page(pageMillis(), List.copyOf(load.getIoTidsList()), threadGrowth(),
        load.getThreadsBefore(), load.getThreadsPeak(), List.copyOf(load.getNewThreadNamesList()), loadThreads(),
        load.getFetchesList().stream().map(AsyncIoFetch::getPath).toList(), timeline());
  }

  /** The timeline, one entry per image. */
  private List<AsyncIoEvidence.ImageLoad> timeline() {
    List<AsyncIoEvidence.ImageLoad> rows = new ArrayList<>();
    for (int i = 0; i < servers.size(); i++) {
      AsyncIoFetch f = load.getFetches(i);
      rows.add(new AsyncIoEvidence.ImageLoad(servers.get(i).number(), servers.get(i).latencyMillis(), f.getBytes(),
          round(offsetMillis(f.getStartNanos())), round(offsetMillis(f.getReceivedNanos())),
          round(offsetMillis(f.getEndNanos())), f.getIoTid(), f.getIoThread()));
    }
    return List.copyOf(rows);
  }

  private static double round(double millis) {
    return Math.round(millis * 10) / 10.0;
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
