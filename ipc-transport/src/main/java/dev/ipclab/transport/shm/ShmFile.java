package dev.ipclab.transport.shm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The memory-mapped file that one parent and one worker share for the {@code shm} transport: a header and two
 * {@link ShmRing}s, one per direction.
 *
 * <pre>
 *   0     magic "IPCS" (int), layout version (int), ring capacity in bytes (long)
 *   64    control block of the parent-to-worker ring ({@link ShmRing#CONTROL_BYTES} bytes)
 *   512   control block of the worker-to-parent ring
 *   1024  data of the parent-to-worker ring (capacity bytes)
 *   1024 + capacity   data of the worker-to-parent ring (capacity bytes)
 * </pre>
 *
 * <p>The parent creates the file (mode 0600, so only this user can map it) and removes it; the worker maps it by
 * the path it is given. The mapping lives in an automatic arena and is unmapped when no longer reachable: an
 * explicit unmap could pull the memory from under a reading thread that is still finishing.
 */
public final class ShmFile {
  /** The default size of each ring: 1 MiB per direction. */
  public static final int DEFAULT_RING_BYTES = 1 << 20;

  private static final int MAGIC = 0x49504353; // "IPCS"
  private static final int LAYOUT_VERSION = 1;
  private static final long PARENT_TO_WORKER_CONTROL = 64;
  private static final long WORKER_TO_PARENT_CONTROL = 512;
  private static final long DATA = 1024;

  private final Path path;
  private final MemorySegment segment;
  private final ShmRing parentToWorker;
  private final ShmRing workerToParent;

  private ShmFile(Path path, MemorySegment segment, int ringBytes) {
    this.path = path;
    this.segment = segment;
    this.parentToWorker = new ShmRing(segment.asSlice(PARENT_TO_WORKER_CONTROL, ShmRing.CONTROL_BYTES),
        segment.asSlice(DATA, ringBytes));
    this.workerToParent = new ShmRing(segment.asSlice(WORKER_TO_PARENT_CONTROL, ShmRing.CONTROL_BYTES),
        segment.asSlice(DATA + ringBytes, ringBytes));
  }

  /**
   * Creates and maps a new file at {@code path}, which must not exist, with mode 0600.
   *
   * @param ringBytes the capacity of each ring, a power of two
   */
  public static ShmFile create(Path path, int ringBytes) throws IOException {
    if (ringBytes < 64 || Integer.bitCount(ringBytes) != 1) {
      throw new IllegalArgumentException("an shm ring must be a power of two of at least 64 bytes, not "
          + ringBytes);
    }
    long size = DATA + 2L * ringBytes;
    Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      // Mapping past the end grows the file; the new pages read as zeros, which is an empty, open ring.
      MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, Arena.ofAuto());
      segment.set(ValueLayout.JAVA_LONG, 8, ringBytes);
      segment.set(ValueLayout.JAVA_INT, 4, LAYOUT_VERSION);
      segment.set(ValueLayout.JAVA_INT, 0, MAGIC);
      return new ShmFile(path, segment, ringBytes);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(path);
      throw e;
    }
  }

  /** Maps an existing file made by {@link #create}, checking its header. */
  public static ShmFile open(Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE))) {
      long size = channel.size();
      if (size < DATA) {
        throw new IOException("shm file " + path + " has " + size + " bytes, fewer than the " + DATA
            + "-byte header of an ipclab shm file; was it made by an ipclab parent?");
      }
      MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, Arena.ofAuto());
      int magic = segment.get(ValueLayout.JAVA_INT, 0);
      int version = segment.get(ValueLayout.JAVA_INT, 4);
      long ringBytes = segment.get(ValueLayout.JAVA_LONG, 8);
      if (magic != MAGIC || version != LAYOUT_VERSION || size != DATA + 2 * ringBytes) {
        throw new IOException(String.format(java.util.Locale.ROOT, "shm file %s has magic 0x%08x, layout %d and"
            + " %d bytes; expected magic 0x%08x, layout %d and %d bytes. Parent and worker must be built from"
            + " the same sources.", path, magic, version, size, MAGIC, LAYOUT_VERSION, DATA + 2 * ringBytes));
      }
      return new ShmFile(path, segment, (int) ringBytes);
    }
  }

  public Path path() {
    return path;
  }

  /** The size of the mapping in bytes. */
  public long byteSize() {
    return segment.byteSize();
  }

  ShmRing parentToWorker() {
    return parentToWorker;
  }

  ShmRing workerToParent() {
    return workerToParent;
  }
}
