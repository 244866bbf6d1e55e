package dev.ipclab.parent;

import dev.ipclab.transport.TransportKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where a worker's JDK 25 AOT cache lives (next to the worker jar, one per kind of channel) and the flag that uses
 * it.
 *
 * <p>The build trains the caches ({@link AotTraining}); a cache holds the classes a worker loaded and linked, and
 * their profiles, so a worker started with it skips most of its class loading. Two caches, because a worker loads
 * only one channel's classes: {@code ipclab-worker-pipe.aot} (streams) and {@code ipclab-worker-socket.aot}
 * (Netty, epoll; serves {@code tcp} and {@code uds}). The JVM checks a cache against the class path and the flags
 * it was made with; a stale or foreign cache is refused with a warning on the worker's stderr (its log) and the
 * worker starts as if there were none.
 */
final class WorkerAotCache {
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
    return Optional.of("-XX:AOTCache=" + cache);
  }
}
