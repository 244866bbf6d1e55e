package dev.ipclab.demos;

import dev.ipclab.parent.PoolWorker;
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

    double heapPerThreadBytes() {
      return (double) (started.getHeapAfterBytes() - started.getHeapBeforeBytes()) / started.getStarted();
    }

    double startPerThreadMicros() {
      return Stats.micros(started.getStartNanos()) / started.getStarted();
    }
  }

  static void measure(DemoContext context, PoolWorker worker, DemoResult.Builder result, List<Check> checks)
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
        "kind", "started", "asleep at once", "kernel threads (Threads:)", "start all (ms)", "start (µs/thread)",
        "RSS growth (MiB)", "RSS (KiB/thread)", "live heap (bytes/thread)", "interrupt + join all (ms)",
        "stopped by");
    for (Measured m : List.of(virtual, platform)) {
      CrowdStarted s = m.started();
      table.row(m.kind() == CrowdKind.CROWD_KIND_VIRTUAL ? "virtual" : "platform", s.getStarted(), s.getAsleep(),
          m.kernelThreadsOutside(), Stats.millis(s.getStartNanos()), m.startPerThreadMicros(),
          (s.getRssAfterKib() - s.getRssBeforeKib()) / 1024.0, m.rssPerThreadKib(), m.heapPerThreadBytes(),
          Stats.millis(m.joined().getJoinNanos()), s.getStoppedBy().isEmpty() ? "-" : s.getStoppedBy());
    }
    double memoryRatio = platform.rssPerThreadKib() / virtual.rssPerThreadKib();
    double startRatio = platform.startPerThreadMicros() / virtual.startPerThreadMicros();
    result.table(table.build())
        .evidence("virtual_started", virtual.started().getStarted())
        .evidence("virtual_asleep", virtual.started().getAsleep())
        .evidence("virtual_interrupted_asleep", virtual.joined().getInterruptedAsleep())
        .evidence("kernel_threads_during_virtual", virtual.kernelThreadsOutside())
        .evidence("virtual_rss_kib_per_thread", virtual.rssPerThreadKib())
        .evidence("platform_started", platform.started().getStarted())
        .evidence("platform_asleep", platform.started().getAsleep())
        .evidence("kernel_threads_during_platform", platform.kernelThreadsOutside())
        .evidence("platform_rss_kib_per_thread", platform.rssPerThreadKib())
        .evidence("platform_stopped_by", platform.started().getStoppedBy())
        .evidence("rss_per_thread_ratio", memoryRatio)
        .evidence("start_per_thread_ratio", startRatio);
    result.note("RSS growth is VmRSS of /proc/self/status before the first start and with all asleep; live heap"
        + " is the heap in use after a full GC. A sleeping virtual thread is a heap object holding its stack"
        + " frames; a platform thread is a kernel thread with its own stack and JVM structures outside the heap.");
    checks.add(Check.equal("virtual threads asleep at the same time", virtual.started().getAsleep(), VIRTUAL));
    checks.add(Check.equal("of them, still asleep when the parent counted kernel threads (interrupted asleep)",
        virtual.joined().getInterruptedAsleep(), VIRTUAL));
    checks.add(Check.atMost("kernel threads of the worker during the " + VIRTUAL + " virtual threads (from /proc)",
        virtual.kernelThreadsOutside(), MAX_KERNEL_THREADS - 1, "threads"));
    checks.add(Check.atLeast("kernel threads of the worker during the platform threads, minus those asleep",
        platform.kernelThreadsOutside() - platform.started().getAsleep(), 1, "threads"));
    // Measured here: about 1 KiB per virtual thread against 25 KiB per platform thread; 5x leaves room for noise.
    checks.add(Check.atLeast("RSS per platform thread / RSS per virtual thread", memoryRatio, 5, "×"));
    checks.add(Check.atLeast("start time per platform thread / per virtual thread", startRatio, 3, "×"));
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
