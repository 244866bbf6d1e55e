package dev.ipclab.parent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The private directory of one running parent: mode 0700, holding its Unix socket and its workers' logs, removed
 * when the parent closes. Directories left by parents that died are swept by the next one.
 */
public final class RunDirectory implements AutoCloseable {
  private static final Logger log = Logger.getLogger(RunDirectory.class.getName());
  private static final String PREFIX = "ipclab-";
  /** A file in a run directory that someone asked to keep; the sweep leaves such directories alone. */
  static final String KEEP_MARKER = "KEPT";

  private final Path path;
  private final boolean keep;

  private RunDirectory(Path path, boolean keep) {
    this.path = path;
    this.keep = keep;
  }

  /**
   * Creates {@code $TMPDIR/ipclab-<pid>-<random>} with mode 0700.
   *
   * @param keep whether {@link #close} leaves it in place (for logs someone asked to keep)
   */
  public static RunDirectory create(boolean keep) {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    sweepStale(tmp);
    try {
      Path dir = Files.createTempDirectory(tmp, PREFIX + ProcessHandle.current().pid() + "-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      if (keep) {
        // Marked now, not at close: a parent killed with SIGKILL never closes, and its logs matter most.
        Files.writeString(dir.resolve(KEEP_MARKER), "kept on request (--keep-logs); delete this directory by hand\n");
      }
      return new RunDirectory(dir, keep);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a run directory under " + tmp + ": " + e.getMessage(), e);
    }
  }

  public Path path() {
    return path;
  }

  /** Where worker {@code id} writes its log. */
  public Path workerLog(int id) {
    return path.resolve("worker-" + id + ".log");
  }

  /** Where the parent's Unix socket lives. */
  public Path socket() {
    return path.resolve("ipc.sock");
  }

  @Override
  public void close() {
    if (keep) {
      log.info(() -> "keeping " + path + " (logs kept on request)");
      return;
    }
    deleteTree(path);
  }

  /** Removes run directories whose parent pid is no longer alive (a parent killed with SIGKILL cannot clean up). */
  static void sweepStale(Path tmp) {
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, PREFIX + "*")) {
      for (Path dir : dirs) {
        String[] parts = dir.getFileName().toString().split("-");
        if (parts.length < 3 || !Files.isDirectory(dir) || !Files.isWritable(dir)
            || Files.exists(dir.resolve(KEEP_MARKER))) {
          continue;
        }
        try {
          long pid = Long.parseLong(parts[1]);
          if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            continue;
          }
          log.info(() -> "removing " + dir + ", left behind by pid " + pid + ", which is gone");
          deleteTree(dir);
        } catch (NumberFormatException e) {
          // Not one of ours.
        }
      }
    } catch (IOException e) {
      log.fine(() -> "cannot sweep " + tmp + ": " + e);
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          log.warning(() -> "cannot delete " + p + ": " + e.getMessage());
        }
      });
    } catch (IOException e) {
      log.warning(() -> "cannot delete " + root + ": " + e.getMessage());
    }
  }
}
