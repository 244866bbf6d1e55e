package dev.ipclab.demos;

import dev.ipclab.parent.PoolWorker;
import dev.ipclab.demos.evidence.AddressSpaceEvidence.FixedAddress;
import dev.ipclab.demos.os.ProcMaps;
import dev.ipclab.demos.proto.v1.AddressSpaceMapFixed;
import dev.ipclab.demos.proto.v1.AddressSpaceMapFixedResult;
import dev.ipclab.demos.proto.v1.AddressSpaceReadFixed;
import dev.ipclab.demos.proto.v1.AddressSpaceReadFixedResult;
import dev.ipclab.demos.proto.v1.AddressSpaceUnmapFixed;
import dev.ipclab.demos.proto.v1.AddressSpaceUnmapFixedResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The address-space demo's second part: every worker maps a private page at one and the same virtual address and
 * writes its own pid there; each reads back its own pid, because an address means something only inside one
 * process. The parent picks the address: it proposes a candidate, and if any worker cannot map it (EEXIST, or an
 * old kernel that moved the page elsewhere) all unmap and it proposes the next.
 */
final class SameAddressPart {
  /** Page aligned, in the 47-bit user range but far below where the JVM's libraries and threads land. */
  static final List<Long> CANDIDATES = List.of(0x7e1500000000L, 0x5e1500000000L, 0x3e1500000000L,
      0x1e1500000000L, 0x3e15000000L /* under 2^39, for arm64 kernels with 3-level page tables */);
  static final long PAGE = 4096;

  private SameAddressPart() {}

  /**
   * Runs the part on {@code workers}, adding its tables, checks and commands; returns what it measured, without an
   * address when no candidate could be mapped by all workers (see {@link #notApplicable}).
   */
  static FixedAddress run(List<PoolWorker> workers, DemoContext context, DemoResult.Builder result,
      List<Check> checks) throws IOException, InterruptedException {
    Table.Builder attempts = Table.of("Choosing the address: mmap(addr, 4096, PROT_READ|PROT_WRITE,"
        + " MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE) in every worker",
        concat("address", workers.stream().map(PoolWorker::name).toList()));
    List<String> refusals = new ArrayList<>();
    Long chosen = null;
    List<AddressSpaceMapFixedResult> maps = List.of();
    for (long address : CANDIDATES) {
      context.progress("every worker maps a page at " + hex(address));
      maps = mapAll(workers, address);
      List<Object> row = new ArrayList<>(List.of(hex(address)));
      maps.forEach(m -> row.add(m.getMapped() ? "mapped" : m.getError()));
      attempts.row(row.toArray());
      if (maps.stream().allMatch(AddressSpaceMapFixedResult::getMapped)) {
        chosen = address;
        break;
      }
      refusals.add(hex(address) + ": " + maps.stream().filter(m -> !m.getMapped())
          .map(AddressSpaceMapFixedResult::getError).distinct().toList());
      unmapAll(workers, maps, address);
    }
    result.table(attempts.build());
    if (chosen == null) {
      return new FixedAddress(null, null, refusals.size(), List.of(), refusals);
    }
    long address = chosen;

    // Read back only now, after every worker has written: a shared page would show the last writer's pid in all.
    context.progress("every worker reads the value at " + hex(address));
    List<CompletableFuture<TaskCall.Reply<AddressSpaceReadFixedResult>>> reads = new ArrayList<>();
    for (PoolWorker w : workers) {
      reads.add(TaskCall.async(w, "address-space.read-fixed", AddressSpaceReadFixed.newBuilder()
          .setAddress(address).build(), AddressSpaceReadFixedResult.parser(), TaskCall.DEFAULT_TIMEOUT));
    }
    Table.Builder table = Table.of("One virtual address, different contents", "process", "pid",
        "virtual address", "wrote", "reads back", "its /proc/<pid>/maps entry there");
    List<Long> values = new ArrayList<>();
    List<Long> pids = new ArrayList<>();
    List<String> returned = new ArrayList<>();
    int inMaps = 0;
    for (int i = 0; i < workers.size(); i++) {
      PoolWorker w = workers.get(i);
      long value = TaskCall.await(reads.get(i)).value().getValue();
      Optional<ProcMaps.Mapping> mapping = ProcMaps.startingAt(w.pid(), address);
      // An anonymous private page of exactly the size asked for, as the kernel lists it from outside the worker.
      boolean ok = mapping.filter(m -> m.size() == PAGE && !m.shared() && m.inode() == 0 && m.path().isEmpty())
          .isPresent();
      inMaps += ok ? 1 : 0;
      values.add(value);
      pids.add(w.pid());
      returned.add(hex(maps.get(i).getReturned()));
      table.row(w.name(), w.pid(), hex(maps.get(i).getReturned()), maps.get(i).getWritten(), value,
          mapping.map(SameAddressPart::describe).orElse("(none)"));
    }
    long self = ProcessHandle.current().pid();
    table.row("parent", self, hex(address), "-", "-",
        ProcMaps.startingAt(self, address).map(SameAddressPart::describe).orElse("(nothing mapped there)"));
    result.keyTable(table.build());

    checks.add(Check.that("every worker's page sits at the one chosen address",
        returned.stream().allMatch(hex(address)::equals), "all " + hex(address), returned.toString()));
    checks.add(Check.equal("values read back at " + hex(address) + " (each its own pid)", values, pids));
    checks.add(Check.equal("distinct values at the same address", values.stream().distinct().count(),
        (long) workers.size()).asKey());
    checks.add(Check.that("a private anonymous 4096-byte mapping starts at " + hex(address)
        + " in every worker's /proc/<pid>/maps", inMaps == workers.size(), "in " + workers.size() + " of "
        + workers.size(), "in " + inMaps + " of " + workers.size()));
    String bare = Long.toHexString(address);
    for (PoolWorker w : workers) {
      result.command("grep " + bare + " /proc/" + w.pid() + "/maps", "the private page " + w.name()
          + " mapped there; its pid is " + w.pid());
    }
    result.command("grep " + bare + " /proc/" + self + "/maps", "nothing at that address in the parent");
    return new FixedAddress(address, hex(address), refusals.size() + 1, List.copyOf(values), List.copyOf(refusals));
  }

  /** Why the part could not run: no candidate address could be mapped by all workers; or empty. */
  static Optional<String> notApplicable(FixedAddress fixed) {
    return fixed.address() != null ? Optional.empty() : Optional.of("MAP_FIXED_NOREPLACE refused at every"
        + " candidate address: " + String.join("; ", fixed.refusals()));
  }

  private static List<AddressSpaceMapFixedResult> mapAll(List<PoolWorker> workers, long address)
      throws IOException, InterruptedException {
    List<CompletableFuture<TaskCall.Reply<AddressSpaceMapFixedResult>>> calls = new ArrayList<>();
    for (PoolWorker w : workers) {
      calls.add(TaskCall.async(w, "address-space.map-fixed", AddressSpaceMapFixed.newBuilder()
          .setAddress(address).setLength(PAGE).build(), AddressSpaceMapFixedResult.parser(),
          TaskCall.DEFAULT_TIMEOUT));
    }
    List<AddressSpaceMapFixedResult> results = new ArrayList<>();
    for (var call : calls) {
      results.add(TaskCall.await(call).value());
    }
    return results;
  }

  /** Gives back the pages of the workers that did map {@code address}, so the next candidate starts clean. */
  private static void unmapAll(List<PoolWorker> workers, List<AddressSpaceMapFixedResult> maps, long address)
      throws IOException, InterruptedException {
    for (int i = 0; i < workers.size(); i++) {
      if (maps.get(i).getMapped()) {
        TaskCall.call(workers.get(i), "address-space.unmap-fixed",
            AddressSpaceUnmapFixed.newBuilder().setAddress(address).build(), AddressSpaceUnmapFixedResult.parser());
      }
    }
  }

  private static String describe(ProcMaps.Mapping m) {
    return Long.toHexString(m.start()) + "-" + Long.toHexString(m.end()) + " " + m.perms()
        + (m.path().isEmpty() ? " (anonymous)" : " " + m.path());
  }

  static String hex(long address) {
    return "0x" + Long.toHexString(address);
  }

  private static String[] concat(String first, List<String> rest) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(rest);
    return all.toArray(String[]::new);
  }
}
