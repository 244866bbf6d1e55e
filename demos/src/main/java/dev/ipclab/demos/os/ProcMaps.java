package dev.ipclab.demos.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The memory mappings of one process as the kernel lists them in {@code /proc/<pid>/maps}: the one place ipclab
 * parses that file. A line looks like
 * <pre>
 * 7e1500000000-7e1500001000 rw-p 00000000 00:00 0
 * 7f3a2c000000-7f3a2c001000 rw-s 00000000 00:1a 4242                       /dev/shm/ipclab-17-ab (deleted)
 * start        end          perms offset dev  inode                      path (may hold spaces; may be empty)
 * </pre>
 */
public final class ProcMaps {
  private static final String DELETED = " (deleted)";

  private ProcMaps() {}

  /**
   * One mapping: the virtual range [start, end) and what backs it.
   *
   * @param start first address (inclusive)
   * @param end address after the last byte (exclusive)
   * @param perms read, write, execute, then {@code p} (private, copy-on-write) or {@code s} (shared)
   * @param offset offset into the file, in bytes
   * @param device the file's device as {@code major:minor} in hex
   * @param inode the file's inode; 0 for anonymous memory
   * @param path the file, {@code [heap]}, {@code [stack]} and the like, or "" for anonymous memory; without the
   *     {@code (deleted)} mark of a file that was removed
   * @param deleted whether the kernel marked the file as deleted
   */
  public record Mapping(long start, long end, String perms, long offset, String device, long inode, String path,
      boolean deleted) {

    /** Size of the range in bytes. */
    public long size() {
      return end - start;
    }

    /** Whether writes reach other processes mapping the same thing ({@code s}) rather than a private copy. */
    public boolean shared() {
      return perms.length() == 4 && perms.charAt(3) == 's';
    }

    /** Whether {@code address} lies inside [start, end); addresses compare unsigned. */
    public boolean contains(long address) {
      return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
    }
  }

  /** Parses one line of a maps file; a line that is not in that format is an IllegalArgumentException. */
  public static Mapping parse(String line) {
    // Five fields separated by single spaces, then padding, then the rest of the line is the path.
    String[] f = line.split(" +", 6);
    if (f.length < 5) {
      throw new IllegalArgumentException("not a /proc/<pid>/maps line (expected 'start-end perms offset dev"
          + " inode [path]'): '" + line + "'");
    }
    int dash = f[0].indexOf('-');
    if (dash < 1 || f[1].length() != 4 || f[3].indexOf(':') < 1) {
      throw new IllegalArgumentException("not a /proc/<pid>/maps line: '" + line + "'");
    }
    String path = f.length == 6 ? f[5] : "";
    boolean deleted = path.endsWith(DELETED);
    if (deleted) {
      path = path.substring(0, path.length() - DELETED.length());
    }
    try {
      return new Mapping(Long.parseUnsignedLong(f[0].substring(0, dash), 16),
          Long.parseUnsignedLong(f[0].substring(dash + 1), 16), f[1], Long.parseUnsignedLong(f[2], 16), f[3],
          Long.parseLong(f[4]), path, deleted);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a /proc/<pid>/maps line (bad number: " + e.getMessage() + "): '"
          + line + "'", e);
    }
  }

  /** Parses a whole maps file, line by line. */
  public static List<Mapping> parseAll(List<String> lines) {
    List<Mapping> mappings = new ArrayList<>(lines.size());
    for (String line : lines) {
      if (!line.isEmpty()) {
        mappings.add(parse(line));
      }
    }
    return mappings;
  }

  /** Reads {@code /proc/<pid>/maps}; empty if the process is gone or /proc is not there. */
  public static Optional<List<Mapping>> read(long pid) throws IOException {
    try {
      return Optional.of(parseAll(Files.readAllLines(Path.of("/proc", Long.toString(pid), "maps"))));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** The mapping of {@code pid} that starts exactly at {@code address}, if any. */
  public static Optional<Mapping> startingAt(long pid, long address) throws IOException {
    return read(pid).orElse(List.of()).stream().filter(m -> m.start() == address).findFirst();
  }

  /** The mappings of {@code pid} backed by the file {@code path} (deleted or not). */
  public static List<Mapping> ofFile(long pid, String path) throws IOException {
    return read(pid).orElse(List.of()).stream().filter(m -> m.path().equals(path)).toList();
  }
}
