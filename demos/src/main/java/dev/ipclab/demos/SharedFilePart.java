package dev.ipclab.demos;

import dev.ipclab.parent.PoolWorker;
import dev.ipclab.demos.evidence.AddressSpaceEvidence.SharedFile;
import dev.ipclab.demos.os.ProcMaps;
import dev.ipclab.demos.proto.v1.AddressSpaceShm;
import dev.ipclab.demos.proto.v1.AddressSpaceShmOp;
import dev.ipclab.demos.proto.v1.AddressSpaceShmResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The address-space demo's contrast: two workers map one file in {@code /dev/shm} shared, and a value one writes
 * is the value the other reads. Separate address spaces share memory only when they ask for it: this is an IPC
 * mechanism, not the default.
 */
final class SharedFilePart {
  static final long SIZE = 4096;
  /** Why the part cannot run without a place for shared files. */
  static final String NO_SHM = "there is no writable " + ShmFile.DIRECTORY + " (the tmpfs for shared memory) here";
  private static final long OFFSET = 0;
  private static final String KIND = "address-space.shm";

  private SharedFilePart() {}

  /**
   * Runs the part on workers {@code a} and {@code b}, adding its tables, checks and commands; returns what it
   * measured, or empty when it could not run ({@link #NO_SHM}).
   */
  static Optional<SharedFile> run(PoolWorker a, PoolWorker b, DemoContext context, DemoResult.Builder result,
      List<Check> checks) throws IOException, InterruptedException {
    if (!ShmFile.available()) {
      return Optional.empty();
    }
    ShmFile file = context.track(ShmFile.create(SIZE));
    String path = file.path().toString();
    context.progress(a.name() + " and " + b.name() + " map " + path);
    CompletableFuture<TaskCall.Reply<AddressSpaceShmResult>> mapA = TaskCall.async(a, KIND,
        op(AddressSpaceShmOp.ADDRESS_SPACE_SHM_OP_MAP, path).setLength(SIZE).build(), AddressSpaceShmResult.parser(),
        TaskCall.DEFAULT_TIMEOUT);
    CompletableFuture<TaskCall.Reply<AddressSpaceShmResult>> mapB = TaskCall.async(b, KIND,
        op(AddressSpaceShmOp.ADDRESS_SPACE_SHM_OP_MAP, path).setLength(SIZE).build(), AddressSpaceShmResult.parser(),
        TaskCall.DEFAULT_TIMEOUT);
    List<Long> mappedAt = List.of(TaskCall.await(mapA).value().getAddress(), TaskCall.await(mapB).value().getAddress());

    ThreadLocalRandom random = ThreadLocalRandom.current();
    long x = random.nextLong(100_000, 1_000_000);
    long y = x + random.nextLong(1, 1_000_000); // different from x, so a stale read cannot pass for a fresh one
    context.progress(a.name() + " writes " + x + ", " + b.name() + " reads; then the other way round");
    write(a, path, x);
    long readByB = read(b, path);
    write(b, path, y);
    long readByA = read(a, path);
    result.table(Table.of("Explicit shared memory: " + path + ", offset " + OFFSET + ", int64", "step", "writer",
            "value written", "reader", "value read")
        .row(1, a.name(), x, b.name(), readByB)
        .row(2, b.name(), y, a.name(), readByA)
        .build());

    Table.Builder maps = Table.of("The file in each worker's /proc/<pid>/maps", "worker", "pid",
        "mapped at (virtual address)", "its /proc/<pid>/maps entry");
    int inMaps = 0;
    List<PoolWorker> both = List.of(a, b);
    for (int i = 0; i < 2; i++) {
      PoolWorker w = both.get(i);
      long at = mappedAt.get(i);
      List<ProcMaps.Mapping> entries = ProcMaps.ofFile(w.pid(), path);
      // Shared ('s'), so writes go to the file's pages that every mapper sees, not to a private copy.
      boolean shared = entries.stream().anyMatch(m -> m.shared() && m.start() == at);
      inMaps += shared ? 1 : 0;
      maps.row(w.name(), w.pid(), SameAddressPart.hex(at), entries.isEmpty() ? "(none)"
          : Long.toHexString(entries.get(0).start()) + "-" + Long.toHexString(entries.get(0).end()) + " "
          + entries.get(0).perms() + " " + entries.get(0).path());
    }
    result.table(maps.build());

    checks.add(Check.equal(b.name() + " reads the number " + a.name() + " wrote to the shared file", readByB, x)
        .asKey());
    checks.add(Check.equal(a.name() + " reads what " + b.name() + " wrote to the shared file", readByA, y));
    checks.add(Check.that(path + " mapped shared (rw-s) in both workers' /proc/<pid>/maps", inMaps == 2,
        "in 2 of 2", "in " + inMaps + " of 2"));
    result.command("grep ipclab /proc/" + a.pid() + "/maps /proc/" + b.pid() + "/maps",
            "the same " + path + " mapped rw-s in both workers")
        .command("ls -l /proc/" + a.pid() + "/map_files | grep ipclab",
            "the mapping's link to the file (root only)")
        .command("ls -l " + path, "the shared file itself, mode 0600, deleted when the run ends");
    return Optional.of(new SharedFile(path, List.of(x, y), List.of(readByB, readByA), mappedAt));
  }

  private static AddressSpaceShm.Builder op(AddressSpaceShmOp op, String path) {
    return AddressSpaceShm.newBuilder().setOp(op).setPath(path).setOffset(OFFSET);
  }

  private static void write(PoolWorker w, String path, long value) throws IOException, InterruptedException {
    TaskCall.call(w, KIND, op(AddressSpaceShmOp.ADDRESS_SPACE_SHM_OP_WRITE, path).setValue(value).build(),
        AddressSpaceShmResult.parser());
  }

  private static long read(PoolWorker w, String path) throws IOException, InterruptedException {
    return TaskCall.call(w, KIND, op(AddressSpaceShmOp.ADDRESS_SPACE_SHM_OP_READ, path).build(),
        AddressSpaceShmResult.parser()).value().getValue();
  }
}
