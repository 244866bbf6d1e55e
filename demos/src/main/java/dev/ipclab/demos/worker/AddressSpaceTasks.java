package dev.ipclab.demos.worker;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.ipclab.demos.proto.v1.AddressSpaceMapFixed;
import dev.ipclab.demos.proto.v1.AddressSpaceMapFixedResult;
import dev.ipclab.demos.proto.v1.AddressSpaceReadFixed;
import dev.ipclab.demos.proto.v1.AddressSpaceReadFixedResult;
import dev.ipclab.demos.proto.v1.AddressSpaceShm;
import dev.ipclab.demos.proto.v1.AddressSpaceShmResult;
import dev.ipclab.demos.proto.v1.AddressSpaceStatic;
import dev.ipclab.demos.proto.v1.AddressSpaceStaticResult;
import dev.ipclab.demos.proto.v1.AddressSpaceUnmapFixed;
import dev.ipclab.demos.proto.v1.AddressSpaceUnmapFixedResult;
import dev.ipclab.demos.worker.os.FixedPages;
import dev.ipclab.worker.TaskHandler;
import dev.ipclab.worker.WorkerContext;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Tasks of the address-space demo: a static field that each worker process has its own copy of, a private page at
 * a fixed virtual address holding the worker's pid, and a shared file mapping that other processes see into.
 */
public final class AddressSpaceTasks {
  private static final Logger log = Logger.getLogger(AddressSpaceTasks.class.getName());
  private static final long PID = ProcessHandle.current().pid();

  /** One per process: every worker JVM has its own, whatever the parent or the other workers do to theirs. */
  private static volatile long value;

  /** Shared file mappings of this worker by path; they stay mapped until the worker exits. */
  private static final Map<String, MemorySegment> SHARED = new ConcurrentHashMap<>();

  private AddressSpaceTasks() {}

  /**
   * (segment, offset) -> long, with volatile loads and stores: another process writes the same bytes. In a holder
   * so that only a worker that runs this demo builds it: the first memory-segment VarHandle spins about ten
   * method-handle classes, which cost every worker 20 ms of CPU and 4 MB of RSS at start-up when this was a field
   * of the class (15 spawns each; {@code -Xlog:class+init} shows where).
   */
  private static final class LongAt {
    static final VarHandle HANDLE = JAVA_LONG.varHandle();
  }

  public static void register(WorkerContext registry) {
    registry.register("address-space.static",
            TaskHandler.typed(AddressSpaceStatic.parser(), AddressSpaceTasks::staticField))
        .register("address-space.map-fixed",
            TaskHandler.typed(AddressSpaceMapFixed.parser(), AddressSpaceTasks::mapFixed))
        .register("address-space.read-fixed",
            TaskHandler.typed(AddressSpaceReadFixed.parser(), AddressSpaceTasks::readFixed))
        .register("address-space.unmap-fixed",
            TaskHandler.typed(AddressSpaceUnmapFixed.parser(), AddressSpaceTasks::unmapFixed))
        .register("address-space.shm", TaskHandler.typed(AddressSpaceShm.parser(), AddressSpaceTasks::shm));
  }

  static synchronized AddressSpaceStaticResult staticField(AddressSpaceStatic request) {
    long before = value;
    if (request.getSet()) {
      value = request.getValue();
    }
    return AddressSpaceStaticResult.newBuilder().setBefore(before).setAfter(value).setPid(PID).build();
  }

  static AddressSpaceMapFixedResult mapFixed(AddressSpaceMapFixed request) {
    long address = request.getAddress();
    FixedPages.Outcome outcome = FixedPages.map(address, request.getLength());
    AddressSpaceMapFixedResult.Builder result = AddressSpaceMapFixedResult.newBuilder()
        .setMapped(outcome.mapped())
        .setReturned(outcome.returned())
        .setErrno(outcome.errno())
        .setError(outcome.error());
    if (outcome.mapped()) {
      // This process's pid at this address: the other worker writes its own pid at the same number.
      LongAt.HANDLE.setVolatile(FixedPages.segment(address), 0L, PID);
      result.setWritten(PID);
      log.info(() -> "worker pid " + PID + " mapped a page at 0x" + Long.toHexString(address) + " and wrote its pid");
    } else {
      log.info(() -> "worker pid " + PID + " could not map 0x" + Long.toHexString(address) + ": "
          + outcome.error());
    }
    return result.build();
  }

  static AddressSpaceReadFixedResult readFixed(AddressSpaceReadFixed request) {
    long read = (long) LongAt.HANDLE.getVolatile(FixedPages.segment(request.getAddress()), 0L);
    return AddressSpaceReadFixedResult.newBuilder().setValue(read).build();
  }

  static AddressSpaceUnmapFixedResult unmapFixed(AddressSpaceUnmapFixed request) {
    return AddressSpaceUnmapFixedResult.newBuilder().setUnmapped(FixedPages.unmap(request.getAddress())).build();
  }

  static AddressSpaceShmResult shm(AddressSpaceShm request) throws IOException {
    String path = request.getPath();
    MemorySegment mapping = switch (request.getOp()) {
      case ADDRESS_SPACE_SHM_OP_MAP -> map(path, request.getLength());
      case ADDRESS_SPACE_SHM_OP_WRITE, ADDRESS_SPACE_SHM_OP_READ -> mapped(path);
      default -> throw new IllegalArgumentException("no shm op given");
    };
    long offset = request.getOffset();
    AddressSpaceShmResult.Builder result = AddressSpaceShmResult.newBuilder().setAddress(mapping.address());
    switch (request.getOp()) {
      case ADDRESS_SPACE_SHM_OP_WRITE -> {
        LongAt.HANDLE.setVolatile(mapping, offset, request.getValue());
        result.setValue((long) LongAt.HANDLE.getVolatile(mapping, offset));
      }
      case ADDRESS_SPACE_SHM_OP_READ -> result.setValue((long) LongAt.HANDLE.getVolatile(mapping, offset));
      default -> {}
    }
    return result.build();
  }

  private static MemorySegment map(String path, long length) throws IOException {
    if (SHARED.containsKey(path)) {
      throw new IllegalStateException(path + " is mapped by this worker already");
    }
    // No CREATE: the parent owns the file (its name, its mode, its deletion); a missing file is an error.
    try (FileChannel channel = FileChannel.open(Path.of(path), StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      // A global arena: the mapping outlives the channel and stays until the worker exits, so --keep shows it.
      MemorySegment mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, length, Arena.global());
      SHARED.put(path, mapping);
      log.info(() -> "worker pid " + PID + " mapped " + path + " (" + length + " bytes) shared at 0x"
          + Long.toHexString(mapping.address()));
      return mapping;
    }
  }

  private static MemorySegment mapped(String path) {
    MemorySegment mapping = SHARED.get(path);
    if (mapping == null) {
      throw new IllegalStateException(path + " is not mapped by this worker; map it first");
    }
    return mapping;
  }
}
