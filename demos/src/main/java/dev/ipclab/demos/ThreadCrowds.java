package dev.ipclab.demos;

import dev.ipclab.parent.PoolWorker;
import dev.ipclab.demos.evidence.CoroutinesEvidence.Crowd;
import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.demos.proto.v1.CrowdJoin;
import dev.ipclab.demos.proto.v1.CrowdJoined;
import dev.ipclab.demos.proto.v1.CrowdKind;
import dev.ipclab.demos.proto.v1.CrowdStart;
import dev.ipclab.demos.proto.v1.CrowdStarted;
import java.util.List;

/**
 * The cost part of the coroutines demo: a crowd of sleeping virtual threads, then as many sleeping platform threads
 * as the worker gets within a cap, each measured for start time and memory, with the kernel's thread count read
 * from outside while they sleep.
 */
final class ThreadCrowds {
  static final int VIRTUAL = 100_000;
  /** Platform threads to try at most: enough to measure the cost per thread, few enough to stay quick and safe. */
  static final int PLATFORM_CAP = 5_000;
  static final long PLATFORM_TIME_CAP_MILLIS = 4_000;
  /** A small stack: only what a thread touches is resident, but the reservation counts against limits. */
  static final long PLATFORM_STACK_BYTES = 256 * 1024;
  /** How long the crowd sleeps if no join comes (the demo joins it at once). */
  static final long SLEEP_MILLIS = 60_000;
  static final int MAX_KERNEL_THREADS = 100;

  private ThreadCrowds() {}

  /** One crowd as measured: the worker's numbers and what the parent saw in /proc while it slept. */
  record Measured(CrowdKind kind, CrowdStarted started, CrowdJoined joined, int kernelThreadsOutside,
      long rssOutsideKib) {
    double rssPerThreadKib() {
      return (double) (started.getRssAfterKib() - started.getRssBeforeKib()) / started.getStarted();
    }

    /** The heap the crowd held per thread, or empty when it is too small to show against the heap's noise. */
    java.util.OptionalDouble heapPerThreadBytes() {
      return heapPerThread(started.getHeapAfterBytes(), joined.getHeapReleasedBytes(), started.getStarted());
    }

    /** The median Thread.start(), in µs: the creation-cost demo's method. */
    double startPerThreadMicros() {
      return Stats.micros(started.getStartMedianNanos());
    }

    /** The crowd as evidence. */
    Crowd evidence() {
      java.util.OptionalDouble heap = heapPerThreadBytes();
      return new Crowd(started.getStarted(), started.getAsleep(), joined.getInterruptedAsleep(),
          kernelThreadsOutside, rssPerThreadKib(), heap.isPresent() ? heap.getAsDouble() : null,
          startPerThreadMicros(), Stats.millis(started.getStartNanos()), Stats.millis(joined.getJoinNanos()),
          started.getStoppedBy());
    }
  }

  /**
   * Both crowds as evidence, and how they compare.
   *
   * @param virtual the virtual threads
   * @param platform the platform threads
   * @param rssPerThreadRatio RSS per platform thread ÷ per virtual thread
   * @param startPerThreadRatio Thread.start() of a platform thread ÷ of a virtual thread
   */
  record Crowds(Crowd virtual, Crowd platform, double rssPerThreadRatio, double startPerThreadRatio) {}

  /**
   * The heap a crowd held per thread: the heap in use with the crowd alive minus the heap once it ended and was
   * dropped, both after a full GC, so the rest of the process is the same in both readings. A difference of zero
   * or less means the crowd's objects were smaller than what the rest of the heap changed by in between: not
   * measurable that way, so there is no value rather than a negative one.
   */
  static java.util.OptionalDouble heapPerThread(long withCrowdBytes, long releasedBytes, int threads) {
    long held = withCrowdBytes - releasedBytes;
    return held <= 0 || threads <= 0 ? java.util.OptionalDouble.empty()
        : java.util.OptionalDouble.of((double) held / threads);
  }

  /** Measures both crowds, adding their tables, notes and checks; returns what it measured. */
  static Crowds measure(DemoContext context, PoolWorker worker, DemoResult.Builder result, List<Check> checks)
      throws Exception {
    context.progress(VIRTUAL + " virtual threads fall asleep at once");
    Measured virtual = crowd(worker, CrowdStart.newBuilder().setKind(CrowdKind.CROWD_KIND_VIRTUAL).setCount(VIRTUAL)
        .setSleepMillis(SLEEP_MILLIS).build());
    context.progress("up to " + PLATFORM_CAP + " platform threads with " + PLATFORM_STACK_BYTES / 1024
        + " KiB stacks, for comparison");
    Measured platform = crowd(worker, CrowdStart.newBuilder().setKind(CrowdKind.CROWD_KIND_PLATFORM)
        .setCount(PLATFORM_CAP).setTimeCapMillis(PLATFORM_TIME_CAP_MILLIS).setStackBytes(PLATFORM_STACK_BYTES)
        .setSleepMillis(SLEEP_MILLIS).build());

    Table.Builder table = Table.of("Sleeping threads in one worker (pid " + worker.pid() + "), all asleep at once",
        "kind", "started", "asleep", "kernel threads", "RSS KiB/thread");
    // The heap a thread object holds is a few hundred bytes at most, near the noise of a heap reading after GC:
    // it and what stopped a crowd are for --detail. So is the start time: creation-cost's table is where starts
    // are compared, and a crowd's median moves with how many start and how many are alive already.
    Table.Builder more = Table.of("The same crowds: start time, heap held after GC, and what stopped the start",
        "kind", "start (µs)", "heap B/thread", "stopped by");
    for (Measured m : List.of(virtual, platform)) {
      CrowdStarted s = m.started();
      java.util.OptionalDouble heap = m.heapPerThreadBytes();
      String kind = m.kind() == CrowdKind.CROWD_KIND_VIRTUAL ? "virtual" : "platform";
      table.row(kind, s.getStarted(), s.getAsleep(), m.kernelThreadsOutside(), m.rssPerThreadKib());
      more.row(kind, m.startPerThreadMicros(), heap.isPresent() ? (Object) heap.getAsDouble() : "not measurable",
          s.getStoppedBy().isEmpty() ? "its count, all started" : s.getStoppedBy());
    }
    double memoryRatio = platform.rssPerThreadKib() / virtual.rssPerThreadKib();
    double startRatio = platform.startPerThreadMicros() / virtual.startPerThreadMicros();
    result.keyTable(table.build()).table(more.build());
    result.note("RSS per thread is the growth of VmRSS (/proc/self/status) from before the first start to all"
        + " asleep. Heap held is the heap in use after a full GC with the crowd asleep minus the same once it"
        + " ended and was dropped; 'not measurable' means that difference was 0 or less: the crowd's heap objects"
        + " were smaller than the rest of the heap's change (a platform thread's Java object is a few hundred"
        + " bytes; its stack is outside the heap, in RSS). A sleeping virtual thread is a heap object holding"
        + " its stack frames.")
        .note("Thread.start() median is " + dev.ipclab.demos.worker.ThreadStarts.METHOD + ", the method of the"
            + " creation-cost demo too; the crowd's threads start while thousands of others already exist.");
    checks.add(Check.equal("virtual threads asleep at the same time", virtual.started().getAsleep(), VIRTUAL));
    checks.add(Check.equal("of them, still asleep when the parent counted kernel threads (interrupted asleep)",
        virtual.joined().getInterruptedAsleep(), VIRTUAL));
    checks.add(Check.atMost("kernel threads of the worker during the " + VIRTUAL + " virtual threads (from /proc)",
        virtual.kernelThreadsOutside(), MAX_KERNEL_THREADS - 1, "threads"));
    // Each sleeping platform thread is one kernel thread: what is left is the worker's own few threads.
    checks.add(Check.between("kernel threads during the platform crowd minus its sleeping threads (the worker's"
        + " own)", platform.kernelThreadsOutside() - platform.started().getAsleep(), 1, MAX_KERNEL_THREADS - 1,
        "threads"));
    // Measured here: about 1 KiB per virtual thread against 25 KiB per platform thread; 5x leaves room for noise.
    checks.add(Check.atLeast("RSS per platform thread / RSS per virtual thread", memoryRatio, 5, "×").asKey());
    checks.add(Check.atLeast("start time per platform thread / per virtual thread", startRatio, 3, "×"));
    return new Crowds(virtual.evidence(), platform.evidence(), memoryRatio, startRatio);
  }

  private static Measured crowd(PoolWorker worker, CrowdStart request) throws Exception {
    CrowdStarted started = TaskCall.call(worker, "coroutines.crowd-start", request, CrowdStarted.parser()).value();
    // Still asleep: the join below counts how many were, so this reading is known to be during their sleep.
    ProcStatus outside = ProcStatus.read(worker.pid()).orElseThrow(() -> new java.io.IOException(worker.name()
        + " (pid " + worker.pid() + ") vanished while its threads slept"));
    CrowdJoined joined = TaskCall.call(worker, "coroutines.crowd-join", CrowdJoin.getDefaultInstance(),
        CrowdJoined.parser()).value();
    return new Measured(request.getKind(), started, joined, outside.threads(), outside.rssKib());
  }
}
