package dev.ipclab.demos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A file in {@code /dev/shm} (memory, not disk) that workers map to share bytes: named
 * {@code ipclab-<parent pid>-<random>}, mode 0600, zero-filled; {@link #close()} deletes it, so a tracked one is
 * gone when the demo's context closes, {@code --keep} runs included.
 */
final class ShmFile implements AutoCloseable {
  /** Where Linux mounts its POSIX shared memory tmpfs. */
  static final Path DIRECTORY = Path.of("/dev/shm");

  private final Path path;

  private ShmFile(Path path) {
    this.path = path;
  }

  /** Whether this machine has a {@code /dev/shm} to create files in. */
  static boolean available() {
    return Files.isDirectory(DIRECTORY) && Files.isWritable(DIRECTORY);
  }

  /** Creates a new zero-filled file of {@code size} bytes that only this user may open. */
  static ShmFile create(long size) throws IOException {
    byte[] random = new byte[4];
    ThreadLocalRandom.current().nextBytes(random);
    Path path = DIRECTORY.resolve("ipclab-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(random));
    // Created with 0600 at once, never briefly readable by others; CREATE_NEW refuses a file that exists.
    Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.write(path, new byte[Math.toIntExact(size)]);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(path);
      throw e;
    }
    return new ShmFile(path);
  }

  Path path() {
    return path;
  }

  /** Deletes the file; processes that still map it keep their pages until they unmap them or exit. */
  @Override
  public void close() throws IOException {
    Files.deleteIfExists(path);
  }

  @Override
  public String toString() {
    return "shared memory file " + path;
  }
}
