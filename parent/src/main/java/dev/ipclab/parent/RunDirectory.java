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
 * when the parent closes, together with its workers' shm files under {@code /dev/shm} (named after the directory,
 * since a mapped file must live in the memory file system). Directories and shm files left by parents that died
 * are swept by the next one.
 */
final class RunDirectory implements AutoCloseable {
  private static final Logger log = Logger.getLogger(RunDirectory.class.getName());
  private static final String PREFIX = "ipclab-";
  /** Where shm transport files live: memory, not disk. */
  static final Path SHM_DIRECTORY = Path.of("/dev/shm");
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
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
    sweepStaleShmFiles(SHM_DIRECTORY);
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

  /**
   * Where the {@code generation}-th process of slot {@code id} (from 1; a restart or a recycle makes the next)
   * writes its log: {@code worker-3.2.log}. Each process has a file of its own, so the tail shown after a crash
   * holds only lines of the process that died, never its predecessor's.
   */
  public Path workerLog(int id, int generation) {
    return path.resolve("worker-" + id + "." + generation + ".log");
  }

  /** Where the parent's Unix socket lives. */
  public Path socket() {
    return path.resolve("ipc.sock");
  }

  /**
   * A new, unused path for worker {@code id}'s shm file: {@code /dev/shm/<this directory's name>-worker-<id>-<random>},
   * so a restarted worker never meets its predecessor's rings.
   */
  public Path newShmFile(int id) {
    return SHM_DIRECTORY.resolve(path.getFileName() + "-worker-" + id + "-"
        + java.util.HexFormat.of().formatHex(randomBytes()));
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** Removes the shm files of this run; they are memory, and never kept, even when the logs are. */
  void deleteShmFiles() {
    String prefix = path.getFileName() + "-";
    try (DirectoryStream<Path> files = Files.newDirectoryStream(SHM_DIRECTORY, prefix + "*")) {
      for (Path file : files) {
        Files.deleteIfExists(file);
      }
    } catch (java.nio.file.NoSuchFileException e) {
      // No /dev/shm here: no shm files either.
    } catch (IOException e) {
      log.warning(() -> "cannot remove the shm files " + SHM_DIRECTORY + "/" + prefix + "*: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    deleteShmFiles();
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

  /** Removes shm files ({@code ipclab-<pid>-*}) whose parent pid is no longer alive. */
  static void sweepStaleShmFiles(Path shm) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(shm, PREFIX + "*")) {
      for (Path file : files) {
        String[] parts = file.getFileName().toString().split("-");
        if (parts.length < 3 || !Files.isRegularFile(file) || !Files.isWritable(file)) {
          continue;
        }
        try {
          long pid = Long.parseLong(parts[1]);
          if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            log.info(() -> "removing " + file + ", left behind by pid " + pid + ", which is gone");
            Files.deleteIfExists(file);
          }
        } catch (NumberFormatException e) {
          // Not one of ours.
        }
      }
    } catch (IOException e) {
      log.fine(() -> "cannot sweep " + shm + ": " + e);
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
