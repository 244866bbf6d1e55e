package dev.ipclab.demos.worker.os;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Anonymous pages this process maps at an exact virtual address with {@code mmap(MAP_FIXED_NOREPLACE)} through
 * FFM downcalls, so that two processes can hold different data at the same address. Only pages mapped here can be
 * read or unmapped here: an address from outside never reaches {@code munmap} or a raw memory access.
 */
public final class FixedPages {
  // The generic Linux values (x86-64, arm64, riscv64); other architectures (e.g. mips, sparc) number them apart.
  private static final int PROT_READ = 0x1;
  private static final int PROT_WRITE = 0x2;
  private static final int MAP_PRIVATE = 0x02;
  private static final int MAP_ANONYMOUS = 0x20;
  private static final int MAP_FIXED_NOREPLACE = 0x100000;
  private static final long MAP_FAILED = -1L;
  private static final Set<String> GENERIC_ARCHES = Set.of("amd64", "x86_64", "aarch64", "riscv64");

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset), errno captured.
  private static final MethodHandle MMAP = LINKER.downcallHandle(
      LINKER.defaultLookup().find("mmap").orElseThrow(),
      FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
      Linker.Option.captureCallState("errno"));
  // int munmap(void *addr, size_t length)
  private static final MethodHandle MUNMAP = LINKER.downcallHandle(
      LINKER.defaultLookup().find("munmap").orElseThrow(),
      FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));

  /** address → length of every page mapped here and not unmapped yet. */
  private static final Map<Long, Long> MAPPED = new ConcurrentHashMap<>();

  private FixedPages() {}

  /**
   * What one mmap attempt did.
   *
   * @param mapped true when the page is mapped at exactly the address asked for
   * @param returned what mmap returned (0 when it failed)
   * @param errno errno of a failed mmap, else 0
   * @param error why it is not mapped, for people; empty when mapped
   */
  public record Outcome(boolean mapped, long returned, int errno, String error) {}

  /** Maps {@code length} bytes read-write at exactly {@code address}, never over an existing mapping. */
  public static Outcome map(long address, long length) {
    String arch = System.getProperty("os.arch");
    if (!System.getProperty("os.name").equals("Linux") || !GENERIC_ARCHES.contains(arch)) {
      return new Outcome(false, 0, 0, "MAP_FIXED_NOREPLACE is numbered for Linux on " + GENERIC_ARCHES
          + " only; this is " + System.getProperty("os.name") + " on " + arch);
    }
    if (address == 0 || address % 4096 != 0 || length <= 0 || length % 4096 != 0) {
      throw new IllegalArgumentException("address and length must be non-zero multiples of 4096, got 0x"
          + Long.toHexString(address) + " and " + length);
    }
    long returned;
    int errno;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      returned = (long) MMAP.invokeExact(state, address, length, PROT_READ | PROT_WRITE,
          MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0L);
      errno = (int) ERRNO.get(state, 0L);
    } catch (Throwable e) {
      throw new IllegalStateException("mmap downcall failed", e);
    }
    if (returned == MAP_FAILED) {
      return new Outcome(false, 0, errno, errnoName(errno) + " (errno " + errno + ")"
          + (errno == 17 ? ": something is mapped there already" : ""));
    }
    if (returned != address) {
      // A kernel before 4.17 does not know the flag and takes the address as a hint: give that page back.
      munmap(returned, length);
      return new Outcome(false, returned, 0, "the kernel placed the page at 0x" + Long.toHexString(returned)
          + " instead (it ignores MAP_FIXED_NOREPLACE before Linux 4.17)");
    }
    MAPPED.put(address, length);
    return new Outcome(true, returned, 0, "");
  }

  /** The memory of a page mapped here; an address not mapped by {@link #map} is refused. */
  public static MemorySegment segment(long address) {
    Long length = MAPPED.get(address);
    if (length == null) {
      throw new IllegalArgumentException("0x" + Long.toHexString(address) + " was not mapped by this worker;"
          + " mapped here: " + MAPPED.keySet().stream().map(a -> "0x" + Long.toHexString(a)).toList());
    }
    return MemorySegment.ofAddress(address).reinterpret(length);
  }

  /** Unmaps a page mapped here; false if it was not this worker's or munmap failed. */
  public static boolean unmap(long address) {
    Long length = MAPPED.remove(address);
    return length != null && munmap(address, length) == 0;
  }

  private static int munmap(long address, long length) {
    try {
      return (int) MUNMAP.invokeExact(address, length);
    } catch (Throwable e) {
      throw new IllegalStateException("munmap downcall failed", e);
    }
  }

  /** The symbolic name of the errno values mmap returns here. */
  static String errnoName(int errno) {
    return switch (errno) {
      case 1 -> "EPERM";
      case 12 -> "ENOMEM";
      case 13 -> "EACCES";
      case 17 -> "EEXIST";
      case 22 -> "EINVAL";
      default -> "unexpected error";
    };
  }
}
