package dev.ipclab.demos;

import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.demos.evidence.AddressSpaceEvidence;
import dev.ipclab.demos.evidence.AddressSpaceEvidence.FixedAddress;
import dev.ipclab.demos.evidence.AddressSpaceEvidence.SharedFile;
import dev.ipclab.demos.proto.v1.AddressSpaceStatic;
import dev.ipclab.demos.proto.v1.AddressSpaceStaticResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code address-space}: every process has its own memory. A static field has one copy per process; a page
 * mapped at the same virtual address in two workers holds different values; only a file both map shared (in
 * {@code /dev/shm}) carries a write from one process to the other.
 */
public final class AddressSpaceDemo implements Demo {
  static final int WORKERS = 2;
  private static final String STATIC = "address-space.static";

  /** The parent's own copy of "the static field"; the workers' copy is a static field of their task class. */
  private static volatile long parentField;

  @Override
  public String name() {
    return "address-space";
  }

  @Override
  public String claim() {
    return "Each process has its own address space: one address, a value per process, unless shared.";
  }

  @Override
  public DemoResult run(DemoContext context) throws Exception {
    DemoResult.Builder result = DemoResult.builder(this)
        .transport(context.transport().cliName())
        .prediction("one address holds each worker's own value; only a shared /dev/shm file carries a write.")
        .note("Predicted in full: worker-1 changing its static field leaves worker-2's and the parent's alone;"
            + " one virtual address holds a different value in each worker; only a /dev/shm file both map"
            + " carries a write.");
    context.progress("starting " + WORKERS + " workers over " + context.transport().cliName());
    WorkerPool pool = context.startPool(WORKERS);
    for (PoolWorker w : pool.workers()) {
      result.pid(w.name(), w.pid());
    }
    PoolWorker a = pool.worker(1);
    PoolWorker b = pool.worker(2);
    List<Check> checks = new ArrayList<>();

    StaticReadings statics = staticFields(a, b, context, result, checks);
    FixedAddress fixed = SameAddressPart.run(pool.workers(), context, result, checks);
    Optional<SharedFile> shared = SharedFilePart.run(a, b, context, result, checks);
    result.evidence(new AddressSpaceEvidence(statics.start(), statics.before(), statics.after(), fixed,
        shared.orElse(null)));

    result.shows(shows(fixed, shared))
        .note("Nothing is inherited here because every worker is a freshly exec'd JVM: ProcessBuilder forks the"
            + " parent and the child at once execs java, which replaces the copied memory with a new program."
            + " A fork() without exec would give the child a copy-on-write copy of the parent: the field would"
            + " start at the parent's value, and the first write by either side would copy that page, so it"
            + " would diverge just the same.");
    long parent = ProcessHandle.current().pid();
    result.command("pstree -p " + parent, "the parent and its " + WORKERS + " worker processes")
        .command("grep -E '^(Pid|PPid|VmRSS)' /proc/" + a.pid() + "/status /proc/" + b.pid() + "/status",
            "two processes, each with its own resident memory");
    Optional<String> sameAddress = SameAddressPart.notApplicable(fixed);
    if (sameAddress.isPresent()) {
      return result.build(Verdict.notApplicable(sameAddress.get()));
    }
    if (shared.isEmpty()) {
      return result.build(Verdict.notApplicable(SharedFilePart.NO_SHM));
    }
    return result.build(Verdict.of(checks));
  }

  /** What the run shows, in plain words, from its evidence. */
  private static String shows(FixedAddress fixed, Optional<SharedFile> shared) {
    StringBuilder text = new StringBuilder("The kernel maps each process's virtual addresses to its own pages.");
    if (fixed.address() != null) {
      text.append(" Each worker mapped a page at the one virtual address ")
          .append(fixed.addressHex()).append(" (asked for by number) and wrote its pid:"
          + " they read back ").append(fixed.values()).append(", each its own.");
    }
    text.append(" Nothing came from the parent: each worker is a freshly exec'd JVM, its memory built from"
        + " scratch (a fork() without exec would start as a copy-on-write copy of the parent's).");
    shared.ifPresent(shm -> text.append(" Sharing takes a mapping on purpose: both mapped ").append(shm.path())
        .append(" and read each other's writes."));
    return text.toString();
  }

  /** The static field in the parent, worker-1 and worker-2, at each of the three steps. */
  private record StaticReadings(List<Long> start, List<Long> before, List<Long> after) {}

  /**
   * The parent sets its own field, the workers read theirs (untouched: nothing is inherited); every process gets
   * the same value; then worker-1 changes its copy and the others keep theirs.
   */
  private static StaticReadings staticFields(PoolWorker a, PoolWorker b, DemoContext context,
      DemoResult.Builder result, List<Check> checks) throws IOException, InterruptedException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long common = random.nextLong(1_000, 5_000);
    long changed = common + random.nextLong(1, 5_000); // never equal to common
    context.progress("static fields: the parent sets its own to " + common + ", the workers read theirs");
    parentField = common;
    long aStart = field(a, false, 0).getAfter();
    long bStart = field(b, false, 0).getAfter();
    long aCommon = field(a, true, common).getAfter();
    long bCommon = field(b, true, common).getAfter();
    long parentCommon = parentField;
    context.progress("the parent tells " + a.name() + " to set its copy to " + changed);
    AddressSpaceStaticResult aChanged = field(a, true, changed);
    long bAfter = field(b, false, 0).getAfter();
    long parentAfter = parentField;

    result.table(Table.of("A static field in three processes (AddressSpaceDemo.parentField in the parent,"
            + " AddressSpaceTasks.value in each worker)", "step", "parent", a.name(), b.name())
        .row("parent sets its field to " + common + "; workers read theirs", common, aStart, bStart)
        .row("before: parent tells both workers to set theirs to " + common, parentCommon, aCommon, bCommon)
        .row("after: parent tells " + a.name() + " to set its copy to " + changed, parentAfter,
            aChanged.getAfter(), bAfter)
        .build());
    checks.add(Check.equal("workers' fields after only the parent set its own (nothing is inherited)",
        List.of(aStart, bStart), List.of(0L, 0L)));
    checks.add(Check.equal("the pid that answered for " + a.name() + "'s field", aChanged.getPid(), a.pid()));
    checks.add(Check.equal(a.name() + "'s field after it was told to change", aChanged.getAfter(), changed));
    checks.add(Check.equal(b.name() + "'s field after " + a.name() + " changed its copy", bAfter, common));
    checks.add(Check.equal("the parent's field after " + a.name() + " changed its copy", parentAfter, common));
    return new StaticReadings(List.of(common, aStart, bStart), List.of(parentCommon, aCommon, bCommon),
        List.of(parentAfter, aChanged.getAfter(), bAfter));
  }

  private static AddressSpaceStaticResult field(PoolWorker w, boolean set, long value)
      throws IOException, InterruptedException {
    return TaskCall.call(w, STATIC, AddressSpaceStatic.newBuilder().setSet(set).setValue(value).build(),
        AddressSpaceStaticResult.parser()).value();
  }
}
