package dev.ipclab.parent;

import com.google.protobuf.ByteString;
import dev.ipclab.proto.v1.Pong;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.log.ProcessLog;
import dev.ipclab.transport.netty.EventLoops;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.Stream;

/**
 * Trains the workers' AOT caches (see {@link WorkerAotCache}); the build runs it in the parent module's
 * {@code package} phase, after the worker jar is built.
 *
 * <p>Each training run is a real worker, spawned by a real pool with the launcher's own command line plus
 * {@code -XX:AOTCacheOutput}, taken through the handshake, pings of 0 B to 4 KiB, status requests and tasks (an
 * answer, an error, a deadline), then shut down; at its exit the JVM writes the cache. One run on a pipe, one on
 * a Unix socket (TCP when epoll is missing), whose cache serves both socket transports; the two runs go side by
 * side. A cache is written to a
 * temporary name and moved into place, so a worker never sees half a file.
 *
 * <p>Skipped when both caches are newer than the worker's class path and this module's classes (the flags live
 * here). Exit status 1 if a training run fails; {@code -Dipclab.aot.skip=true} skips it in the build.
 */
final class AotTraining {
  private static final int PINGS_PER_PAYLOAD = 300;
  private static final int TASKS = 100;
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private AotTraining() {}

  public static void main(String[] args) throws Exception {
    ProcessLog.init("aot-training", Level.WARNING, System.err);
    Path jar = WorkerCommand.locateWorkerJar();
    List<TransportKind> channels = List.of(TransportKind.PIPE,
        EventLoops.nativeAvailable() ? TransportKind.UDS : TransportKind.TCP);
    FileTime inputs = newestInput(jar);
    // The two runs are independent processes: run them side by side, which halves the build's wait.
    Map<TransportKind, Future<?>> runs = new LinkedHashMap<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (TransportKind channel : channels) {
        Path cache = WorkerAotCache.file(jar, channel);
        if (Files.isRegularFile(cache) && Files.getLastModifiedTime(cache).compareTo(inputs) > 0) {
          say("%s is up to date", cache.getFileName());
          continue;
        }
        runs.put(channel, pool.submit(() -> {
          train(jar, channel, cache);
          return null;
        }));
      }
    }
    boolean failed = false;
    for (Map.Entry<TransportKind, Future<?>> run : runs.entrySet()) {
      try {
        run.getValue().get();
      } catch (ExecutionException e) {
        failed = true;
        say("training the %s cache failed: %s. Workers start without it (slower, same behaviour). Skip training"
            + " with -Dipclab.aot.skip=true", run.getKey().cliName(), e.getCause());
      }
    }
    if (failed) {
      System.exit(1);
    }
  }

  private static void train(Path jar, TransportKind channel, Path cache) throws Exception {
    long started = System.nanoTime();
    Path partial = cache.resolveSibling(cache.getFileName() + ".training");
    Files.deleteIfExists(cache); // a stale cache must not outlive a failed training
    Files.deleteIfExists(partial);
    Path runDirectory;
    long ready;
    long exercised;
    try (WorkerPool pool = WorkerPool.builder()
        .workers(1)
        .transport(channel)
        .workerJar(jar)
        .jvmArgs(List.of("-XX:AOTCacheOutput=" + partial))
        // Writing the cache happens at the worker's exit and takes seconds; it must not be cut short.
        .shutdownGrace(Duration.ofSeconds(60))
        .keepLogs(true)
        .start()) {
      runDirectory = pool.runDirectory();
      ready = System.nanoTime();
      exercise(pool.processes().getFirst());
      exercised = System.nanoTime();
    }
    try {
      if (!Files.isRegularFile(partial)) {
        throw new IOException("the worker exited but wrote no cache at " + partial + "; its log is in "
            + runDirectory);
      }
      Files.move(partial, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      deleteTree(runDirectory);
    } finally {
      Files.deleteIfExists(partial);
    }
    long done = System.nanoTime();
    say("trained %s (%s worker) in %d ms: spawn to ready %d ms, traffic %d ms, exit and cache writing %d ms;"
        + " %.1f MB", cache.getFileName(), channel.cliName(), millis(done - started), millis(ready - started),
        millis(exercised - ready), millis(done - exercised), Files.size(cache) / 1e6);
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  /** The traffic a worker sees in use: every message kind on the hot path, and the error paths of tasks. */
  private static void exercise(WorkerProcess worker) throws Exception {
    WorkerConnection connection = worker.connection();
    for (int size : new int[] {0, 100, 4096}) {
      ByteString payload = ByteString.copyFrom(new byte[size]);
      for (int i = 0; i < PINGS_PER_PAYLOAD; i++) {
        Pong pong = connection.ping(payload, CALL_TIMEOUT).get();
        if (pong.getPayload().size() != size) {
          throw new IOException("a pong carried " + pong.getPayload().size() + " bytes back, not " + size);
        }
      }
    }
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (int i = 0; i < TASKS; i++) {
      calls.add(connection.submit("echo", ByteString.copyFromUtf8("training " + i), CALL_TIMEOUT));
    }
    calls.add(connection.submit("sleep", ByteString.copyFromUtf8("1"), CALL_TIMEOUT));
    calls.add(connection.status(CALL_TIMEOUT));
    for (CompletableFuture<?> call : calls) {
      call.get();
    }
    expectFailure(connection.submit("fail", ByteString.copyFromUtf8("training"), CALL_TIMEOUT));
    // A deadline that passes: the parent cancels, the worker interrupts the task and answers once.
    expectFailure(connection.submitTask("sleep", ByteString.copyFromUtf8("5000"), Duration.ofMillis(50), 1)
        .result());
  }

  private static void expectFailure(CompletableFuture<?> call) throws InterruptedException, IOException {
    try {
      call.get();
      throw new IOException("a task meant to fail succeeded");
    } catch (ExecutionException expected) {
      // The error path is what this call trains.
    }
  }

  /** The newest modification time among the worker's class path and the classes that make its command line. */
  private static FileTime newestInput(Path jar) throws IOException {
    List<Path> inputs = new ArrayList<>(List.of(jar));
    Path lib = jar.resolveSibling("lib");
    if (Files.isDirectory(lib)) {
      try (Stream<Path> jars = Files.list(lib)) {
        jars.forEach(inputs::add);
      }
    }
    try {
      inputs.add(Path.of(WorkerCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
    } catch (java.net.URISyntaxException e) {
      throw new IOException(e);
    }
    FileTime newest = FileTime.fromMillis(0);
    for (Path input : inputs) {
      FileTime t = Files.isDirectory(input) ? newestUnder(input) : Files.getLastModifiedTime(input);
      newest = t.compareTo(newest) > 0 ? t : newest;
    }
    return newest;
  }

  private static FileTime newestUnder(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).map(p -> {
        try {
          return Files.getLastModifiedTime(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).max(Comparator.naturalOrder()).orElse(FileTime.fromMillis(0));
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void say(String format, Object... args) {
    System.err.println("ipclab aot-training: " + String.format(format, args));
  }
}
