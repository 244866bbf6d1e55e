package dev.ipclab.parent;

import dev.ipclab.transport.TransportKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Where a worker's JDK 25 AOT cache lives (next to the worker jar, one per kind of channel) and the flag that uses
 * it.
 *
 * <p>The build trains the caches ({@link AotTraining}); a cache holds the classes a worker loaded and linked, and
 * their profiles, so a worker started with it skips most of its class loading. Two caches, because a worker loads
 * only one channel's classes: {@code ipclab-worker-pipe.aot} (streams) and {@code ipclab-worker-socket.aot}
 * (Netty, epoll; serves {@code tcp} and {@code uds}). The JVM checks a cache against the class path and the flags
 * it was made with; a foreign cache is refused with a warning on the worker's stderr (its log) and the worker
 * starts as if there were none. A cache older than a jar of the class path is not offered at all.
 */
final class WorkerAotCache {
  private static final Logger log = Logger.getLogger(WorkerAotCache.class.getName());
  private static final String PREFIX = "ipclab-worker-";
  private static final String SUFFIX = ".aot";

  /** JVM options by which the caller already decided about class data sharing: then no cache is added. */
  private static final List<String> OWN_CHOICE = List.of(
      "-XX:AOTCache=", "-XX:AOTCacheOutput=", "-XX:AOTMode=", "-XX:AOTConfiguration=", "-XX:SharedArchiveFile=",
      "-XX:ArchiveClassesAtExit=", "-Xshare:");

  private WorkerAotCache() {}

  /** The cache file for workers of {@code transport} started from {@code workerJar}, whether or not it exists. */
  static Path file(Path workerJar, TransportKind transport) {
    String channel = transport == TransportKind.PIPE ? "pipe" : "socket";
    return workerJar.toAbsolutePath().normalize().resolveSibling(PREFIX + channel + SUFFIX);
  }

  /**
   * {@code -XX:AOTCache=<file>} when the cache file exists and {@code extraJvmArgs} choose nothing about class
   * data sharing themselves (for example {@code -XX:AOTMode=off}, or the training's {@code -XX:AOTCacheOutput}).
   */
  static Optional<String> flag(Path workerJar, TransportKind transport, List<String> extraJvmArgs) {
    boolean ownChoice = extraJvmArgs.stream().anyMatch(arg -> OWN_CHOICE.stream().anyMatch(arg::startsWith));
    Path cache = file(workerJar, transport);
    if (ownChoice || !Files.isRegularFile(cache)) {
      return Optional.empty();
    }
    if (olderThanClassPath(cache, workerJar)) {
      log.warning(() -> "ignoring the AOT cache " + cache + ": a jar of the worker's class path is newer than it,"
          + " so it may hold old classes; workers start without it. Run './mvnw package' to train it again.");
      return Optional.empty();
    }
    return Optional.of("-XX:AOTCache=" + cache);
  }

  /**
   * Whether the worker jar or a jar in its {@code lib/} changed after the cache was written. The JVM's own check
   * of the class path did not notice a changed jar in our tests (JDK 25.0.3), so the launcher checks it itself.
   */
  static boolean olderThanClassPath(Path cache, Path workerJar) {
    try {
      FileTime written = Files.getLastModifiedTime(cache);
      if (Files.getLastModifiedTime(workerJar).compareTo(written) > 0) {
        return true;
      }
      Path lib = workerJar.toAbsolutePath().resolveSibling("lib");
      if (!Files.isDirectory(lib)) {
        return false;
      }
      try (Stream<Path> jars = Files.list(lib)) {
        for (Path jar : (Iterable<Path>) jars::iterator) {
          if (Files.getLastModifiedTime(jar).compareTo(written) > 0) {
            return true;
          }
        }
      }
      return false;
    } catch (IOException e) {
      return true; // cannot tell: starting without the cache is slower but always right
    }
  }
}
