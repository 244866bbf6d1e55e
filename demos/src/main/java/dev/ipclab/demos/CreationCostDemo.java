package dev.ipclab.demos;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.demos.os.CpuAffinity;
import dev.ipclab.demos.os.OtherLoad;
import dev.ipclab.demos.proto.v1.DurationSamples;
import dev.ipclab.demos.proto.v1.Handoff;
import dev.ipclab.demos.proto.v1.HandoffMode;
import dev.ipclab.demos.proto.v1.SpawnThreads;
import dev.ipclab.demos.proto.v1.ThreadKind;
import dev.ipclab.transport.TransportKind;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code creation-cost}: what a process and a thread cost to create, and what a message between processes costs
 * against a hand-off between threads, as medians with the ratios between them.
 */
public final class CreationCostDemo implements Demo {
  static final int TRUE_SPAWNS = 60;
  static final int THREADS = 2_000;
  static final int ROUND_TRIPS = 2_000;
  static final int WARMUP = 500;

  @Override
  public String name() {
    return "creation-cost";
  }

  @Override
  public String claim() {
    return "Processes cost more to create and to talk to than threads.";
  }

  @Override
  public boolean usesTransport() {
    return false; // it measures every transport in turn
  }

  @Override
  public DemoResult run(DemoContext context) throws Exception {
    DemoResult.Builder result = DemoResult.builder(this)
        .prediction("Creating a process costs far more than starting a thread (a JVM worker most of all), and a"
            + " virtual thread less than a platform thread. A message to another process pays a kernel wake-up"
            + " (tens of µs); threads of one process can hand off through shared memory in well under 1 µs —"
            + " unless the receiving thread sleeps, when a hand-off between threads pays a kernel wake-up too.");
    Map<String, double[]> create = new LinkedHashMap<>();
    Map<String, double[]> talk = new LinkedHashMap<>();
    PoolWorker first = null;
    for (TransportKind kind : TransportKind.values()) {
      context.progress("spawning a worker JVM over " + kind.cliName() + ", then " + ROUND_TRIPS + " round trips");
      WorkerPool pool = context.startPool(1, b -> b.transport(kind));
      PoolWorker worker = pool.worker(1);
      result.pid(worker.name() + "-" + kind.cliName(), worker.pid());
      create.put("worker JVM, spawn to ready (" + kind.cliName() + ")",
          new double[] {worker.spawnToReady().toNanos()});
      talk.put("process ⇄ process round trip (" + kind.cliName() + ")", roundTrips(worker));
      if (first == null) {
        first = worker;
      }
    }
    context.progress(TRUE_SPAWNS + " × ProcessBuilder(\"/bin/true\")");
    create.put("process, ProcessBuilder /bin/true", spawnTrue());
    context.progress(THREADS + " platform and " + THREADS + " virtual threads in " + first.name());
    create.put("platform thread, start + join", threads(first, ThreadKind.THREAD_KIND_PLATFORM));
    create.put("virtual thread, start + join", threads(first, ThreadKind.THREAD_KIND_VIRTUAL));
    context.progress("thread ⇄ thread hand-offs in " + first.name());
    talk.put("thread ⇄ thread, blocking hand-off", handoff(first, HandoffMode.HANDOFF_MODE_BLOCKING));
    List<Integer> cpus = CpuAffinity.allowed(ProcessHandle.current().pid());
    // Two spinning threads need two free CPUs at once; other load makes them wait for time slices instead.
    OtherLoad load = new OtherLoad(List.of(first.pid(), ProcessHandle.current().pid()), cpus);
    talk.put("thread ⇄ thread, spinning hand-off", handoff(first, HandoffMode.HANDOFF_MODE_SPINNING));
    double otherShare = load.share();
    result.evidence("other_processes_cpu_share_while_spinning", otherShare);

    double platform = Stats.median(create.get("platform thread, start + join"));
    double spinning = Stats.median(talk.get("thread ⇄ thread, spinning hand-off"));
    result.table(table("Creation (medians)", create, platform, "× platform thread"))
        .table(table("Communication, one round trip (medians)", talk, spinning, "× spinning hand-off"));
    Map<String, Object> medians = new LinkedHashMap<>();
    create.forEach((what, s) -> medians.put(what, Stats.micros(Stats.median(s))));
    talk.forEach((what, s) -> medians.put(what, Stats.micros(Stats.median(s))));
    result.evidence("median_us", medians);
    result.evidence("rtt_cdf_us", cdf(talk));

    double trueSpawn = Stats.median(create.get("process, ProcessBuilder /bin/true"));
    double virtual = Stats.median(create.get("virtual thread, start + join"));
    double jvm = Stats.median(create.get("worker JVM, spawn to ready (pipe)"));
    double pipe = Stats.median(talk.get("process ⇄ process round trip (pipe)"));
    double fastestIpc = talk.entrySet().stream().filter(e -> e.getKey().startsWith("process"))
        .mapToDouble(e -> Stats.median(e.getValue())).min().orElseThrow();
    double blocking = Stats.median(talk.get("thread ⇄ thread, blocking hand-off"));
    List<Check> checks = new ArrayList<>();
    // Ratios, not absolute times: a busy 2-core VM slows everything, but not one side only.
    checks.add(Check.atLeast("process (/bin/true) ÷ platform thread, creation", trueSpawn / platform, 3, "×"));
    checks.add(Check.atLeast("worker JVM ÷ /bin/true, creation", jvm / trueSpawn, 10, "×"));
    checks.add(Check.atLeast("platform ÷ virtual thread, creation", platform / virtual, 1.5, "×"));
    Check spin = Check.atLeast("fastest IPC round trip ÷ spinning hand-off", fastestIpc / spinning, 10, "×");
    if (cpus.size() < 2) {
      result.note("With one CPU a spinning hand-off waits for the other thread's time slice, so it is not"
          + " compared; measured " + Check.format(Stats.micros(spinning), "µs") + ".");
    } else if (!spin.passed() && otherShare > ParallelismDemo.BUSY_SHARE) {
      result.note(String.format(java.util.Locale.ROOT, "Other processes took %.0f%% of the CPUs while the threads"
          + " spun, so they often waited for a time slice; the spinning hand-off (%s) is not compared.",
          100 * otherShare, Check.format(Stats.micros(spinning), "µs")));
    } else {
      checks.add(spin);
    }
    result.note("A blocking hand-off between two threads took " + Check.format(Stats.micros(blocking), "µs")
        + ", " + Check.format(blocking / spinning, "×") + " the spinning one, against "
        + Check.format(Stats.micros(pipe), "µs") + " for a pipe round trip between processes: a sleeping receiver"
        + " must be woken by the kernel on either side of a process boundary. Threads are cheap to talk to when"
        + " they share memory without sleeping.");
    long pid = first.pid();
    result.command("strace -f -c -e trace=clone,clone3,execve,vfork java -version 2>&1 | tail -8",
            "the system calls a process spawn makes (needs strace)")
        .command("grep -E 'voluntary_ctxt_switches' /proc/" + pid + "/status",
            "context switches of " + first.name() + ": each blocking hand-off and each message wakes a thread")
        .command("ps -o pid,ppid,etimes,rss,nlwp,cmd --ppid " + ProcessHandle.current().pid(),
            "the worker JVMs: one per transport, each tens of MB and ~20 threads")
        .command("perf stat -e task-clock,context-switches -p " + pid + " sleep 1",
            "CPU and context switches of a worker (needs perf)");
    return result.build(Verdict.of(checks));
  }

  private static Table table(String title, Map<String, double[]> samples, double unit, String ratioColumn) {
    Table.Builder t = Table.of(title, "what", "median (µs)", "p90 (µs)", "samples", ratioColumn);
    samples.forEach((what, s) -> t.row(what, Stats.micros(Stats.median(s)), Stats.micros(Stats.percentile(s, 90)),
        s.length, Stats.median(s) / unit));
    return t.build();
  }

  /**
   * Per row, the measured latency (µs) at percentiles 1…99, 99.9 and 100 (the max): nearest-rank, so every value is
   * one of the samples, none interpolated.
   */
  private static Map<String, Object> cdf(Map<String, double[]> samples) {
    List<Double> percentiles = new ArrayList<>();
    for (int p = 1; p <= 99; p++) {
      percentiles.add((double) p);
    }
    percentiles.add(99.9);
    percentiles.add(100.0);
    Map<String, Object> out = new LinkedHashMap<>();
    samples.forEach((what, s) -> out.put(what, Map.of("percentile", percentiles,
        "latency_us", percentiles.stream().map(p -> Stats.micros(Stats.percentile(s, p))).toList())));
    return out;
  }

  private static double[] roundTrips(PoolWorker worker) throws IOException, InterruptedException {
    double[] nanos = new double[ROUND_TRIPS];
    for (int i = -WARMUP; i < ROUND_TRIPS; i++) {
      long start = System.nanoTime();
      TaskCall.await(worker.ping(ByteString.EMPTY, Duration.ofSeconds(10)));
      if (i >= 0) {
        nanos[i] = System.nanoTime() - start;
      }
    }
    return nanos;
  }

  private static double[] spawnTrue() throws IOException, InterruptedException {
    double[] nanos = new double[TRUE_SPAWNS];
    for (int i = -5; i < TRUE_SPAWNS; i++) {
      long start = System.nanoTime();
      Process p = new ProcessBuilder("/bin/true").redirectErrorStream(true).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("/bin/true did not exit within 10 s; is the machine overloaded?");
      }
      if (i >= 0) {
        nanos[i] = System.nanoTime() - start;
      }
    }
    return nanos;
  }

  private static double[] threads(PoolWorker worker, ThreadKind kind) throws IOException, InterruptedException {
    return samples(TaskCall.call(worker, "creation-cost.spawn-threads",
        SpawnThreads.newBuilder().setKind(kind).setCount(THREADS).setWarmup(WARMUP).build(),
        DurationSamples.parser()).value());
  }

  private static double[] handoff(PoolWorker worker, HandoffMode mode) throws IOException, InterruptedException {
    return samples(TaskCall.call(worker, "creation-cost.handoff",
        Handoff.newBuilder().setMode(mode).setCount(ROUND_TRIPS).setWarmup(WARMUP).build(),
        DurationSamples.parser()).value());
  }

  private static double[] samples(DurationSamples s) {
    return s.getNanosList().stream().mapToDouble(Long::doubleValue).toArray();
  }
}
