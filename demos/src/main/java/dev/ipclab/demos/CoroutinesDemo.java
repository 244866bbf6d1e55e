package dev.ipclab.demos;

import dev.ipclab.parent.PoolWorker;
import dev.ipclab.demos.evidence.CoroutinesEvidence;
import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.demos.trace.TraceRecorder;
import dev.ipclab.demos.proto.v1.CoroutineStep;
import dev.ipclab.demos.proto.v1.GeneratorEvent;
import dev.ipclab.demos.proto.v1.GeneratorRun;
import dev.ipclab.demos.proto.v1.GeneratorTrace;
import dev.ipclab.demos.proto.v1.InterleaveRun;
import dev.ipclab.demos.proto.v1.InterleaveTrace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code coroutines}: virtual threads are coroutines the JVM schedules in user space: K of them take turns on one
 * carrier thread by yielding, two of them make a lazy generator, and 100,000 of them sleep at once in a worker
 * that has only a handful of kernel threads, for a fraction of what platform threads cost.
 */
public final class CoroutinesDemo implements Demo {
  /** A switch through the kernel would put the carrier to sleep about once per switch; in user space, almost never. */
  static final double MAX_CARRIER_SLEEPS_PER_SWITCH = 0.01;
  static final int COROUTINES = 4;
  static final int STEPS = 5;
  static final int VALUES = 10;
  /** One carrier thread, and no extra one when a virtual thread blocks in the kernel. */
  static final List<String> ONE_CARRIER = List.of("-Djdk.virtualThreadScheduler.parallelism=1",
      "-Djdk.virtualThreadScheduler.maxPoolSize=1");

  @Override
  public String name() {
    return "coroutines";
  }

  @Override
  public String claim() {
    return "Virtual threads are coroutines the JVM schedules: many take turns on one kernel thread.";
  }

  @Override
  public DemoResult run(DemoContext context) throws Exception {
    DemoResult.Builder result = DemoResult.builder(this).transport(context.transport().cliName())
        .prediction(COROUTINES + " virtual threads take turns on 1 carrier; " + ThreadCrowds.VIRTUAL + " asleep use < "
            + ThreadCrowds.MAX_KERNEL_THREADS + " kernel threads.")
        .note("Also predicted: a generator's producer asked for " + VALUES + " Fibonacci numbers computes exactly "
            + VALUES + ", each after it is asked.");
    context.progress("starting a worker with one carrier thread over " + context.transport().cliName());
    PoolWorker worker = context.startPool(1, b -> b.jvmArgs(ONE_CARRIER)).worker(1);
    long pid = worker.pid();
    result.pid(worker.name(), pid);
    List<Check> checks = new ArrayList<>();

    context.progress(COROUTINES + " virtual threads take turns");
    InterleaveTrace trace = TaskCall.call(worker, "coroutines.interleave", InterleaveRun.newBuilder()
        .setCoroutines(COROUTINES).setSteps(STEPS).build(), InterleaveTrace.parser()).value();
    Turns turns = interleaving(result, checks, trace, pid);
    for (CoroutineStep s : trace.getStepsList()) {
      context.trace().mark(new TraceRecorder.Mark(s.getName() + " step " + s.getStep(), "coroutines.interleave",
          new TraceRecorder.ThreadId(pid, s.getCarrierTid()), s.getNanos()));
    }

    context.progress("a generator: a producer virtual thread hands " + VALUES + " values to a consumer");
    GeneratorTrace generator = TaskCall.call(worker, "coroutines.generator",
        GeneratorRun.newBuilder().setCount(VALUES).build(), GeneratorTrace.parser()).value();
    CoroutinesEvidence.Generator produced = generator(result, checks, generator);

    ThreadCrowds.Crowds crowds = ThreadCrowds.measure(context, worker, result, checks);
    result.evidence(new CoroutinesEvidence(turns.warmSwitchUs(), trace.getCarrierSleeps(),
        trace.getTimedSwitches(), turns.tracedStepGapUs(), turns.sequence(),
        turns.steps(), turns.carrierTids(), turns.carrierComm(), turns.taskThreadTid(), turns.repeats(), produced,
        crowds.virtual(), crowds.platform(), crowds.rssPerThreadRatio(), crowds.startPerThreadRatio()));
    result.shows(shows(trace, crowds));

    result.command("ps -L -o tid,stat,comm -p " + pid, "a handful of kernel threads; the carrier is "
            + trace.getSteps(0).getCarrierTid())
        .command("grep Threads /proc/" + pid + "/status", "the kernel's thread count, as during the "
            + ThreadCrowds.VIRTUAL + " virtual threads")
        .command("jcmd " + pid + " Thread.vthread_scheduler", "the virtual-thread scheduler: parallelism 1")
        .command("cat /proc/" + pid + "/cmdline | tr '\\0' ' '", "the -Djdk.virtualThreadScheduler flags");
    return result.build(Verdict.of(checks));
  }

  /** ", and the carrier slept N times in M switches", as measured; nothing when the count could not be read. */
  private static String noKernel(InterleaveTrace trace) {
    if (trace.getCarrierSleeps() < 0) {
      return "";
    }
    String slept = ", and its carrier slept " + trace.getCarrierSleeps() + " times in " + trace.getTimedSwitches()
        + " switches";
    // The conclusion only as far as the count bears it out (the same bound as the check).
    return (double) trace.getCarrierSleeps() / trace.getTimedSwitches() <= MAX_CARRIER_SLEEPS_PER_SWITCH
        ? slept + ": no kernel call per switch" : slept;
  }

  /** What a coroutine is, and what this run's numbers say about it, in plain words. */
  private static String shows(InterleaveTrace trace, ThreadCrowds.Crowds crowds) {
    java.util.Locale root = java.util.Locale.ROOT;
    String order = trace.getStepsList().stream().limit(COROUTINES + 2L).map(s -> s.getName() + s.getStep())
        .collect(Collectors.joining(" "));
    return String.format(root, "A coroutine is a function that can suspend and later resume where it left off,"
        + " passing control on purpose. A virtual thread is one: when it yields, or blocks (the JVM yields for"
        + " it), the JVM saves its frames (its continuation) on the heap and runs another on the same kernel"
        + " thread (its carrier). With one carrier (the scheduler's parallelism set to 1), %d took turns on TID"
        + " %d: %s …; a switch cost %s%s. %d asleep at once took %d kernel threads (the JVM's own and its"
        + " carriers) and %s KiB each; a platform thread is a kernel thread: %s KiB.",
        COROUTINES, trace.getSteps(0).getCarrierTid(), order, Check.format(trace.getWarmSwitchNanos() / 1000, "µs"),
        noKernel(trace), ThreadCrowds.VIRTUAL, crowds.virtual().kernelThreads(),
        Check.format(crowds.virtual().rssKibPerThread(), ""), Check.format(crowds.platform().rssKibPerThread(), ""));
  }

  /** What the interleaving part measured, for the evidence; the fields as in {@link CoroutinesEvidence}. */
  private record Turns(double warmSwitchUs, double tracedStepGapUs, String sequence,
      List<CoroutinesEvidence.Step> steps, List<Long> carrierTids, String carrierComm, long taskThreadTid,
      int repeats) {}

  private static Turns interleaving(DemoResult.Builder result, List<Check> checks, InterleaveTrace trace, long pid)
      throws IOException {
    List<CoroutineStep> steps = trace.getStepsList();
    String sequence = steps.stream().map(s -> s.getName() + s.getStep()).collect(Collectors.joining(" "));
    List<Long> carriers = steps.stream().map(CoroutineStep::getCarrierTid).distinct().toList();
    long carrier = carriers.get(0);
    Path task = Path.of("/proc", Long.toString(pid), "task", Long.toString(carrier));
    String comm = Files.isDirectory(task) ? Files.readString(task.resolve("comm")).trim() : "(not in /proc)";
    int repeats = CoroutineTrace.repeatsWhileOthersRunnable(steps.stream().map(CoroutineStep::getName).toList());
    long first = steps.get(0).getNanos();
    Table.Builder table = Table.of(COROUTINES + " virtual threads, each yielding after every step, in the order the"
        + " steps ran", "#", "virtual thread", "step", "carrier tid", "since first step (µs)");
    List<CoroutinesEvidence.Step> stepEvidence = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      CoroutineStep s = steps.get(i);
      table.row(i + 1, s.getName(), s.getStep(), s.getCarrierTid(), Stats.micros(s.getNanos() - first));
      stepEvidence.add(new CoroutinesEvidence.Step(s.getName(), s.getStep(), s.getCarrierTid(),
          Stats.micros(s.getNanos() - first)));
    }
    result.table(table.build())
        .note("Order of the steps: " + sequence)
        .note("The traced steps are " + Check.format(gap(steps), "µs") + " apart at the median: each records a"
            + " protobuf entry and asks the kernel for its TID (gettid), and runs once, in the interpreter. The"
            + " same yields without the trace, warmed up, took at best (fastest of 5 runs) "
            + Check.format(trace.getWarmSwitchNanos() / 1000, "µs") + " per switch over " + trace.getWarmSwitches()
            + " switches: a switch is a few stores on the heap and a queue operation" + (trace.getCarrierSleeps() < 0
            ? "" : "; over all " + trace.getTimedSwitches() + " the carrier slept " + trace.getCarrierSleeps()
            + " times (its voluntary_ctxt_switches), so no switch waited in the kernel") + ";"
            + " a blocking hand-off between platform threads needs"
            + " the kernel to wake the other thread (see creation-cost).");
    checks.add(Check.equal("steps recorded", steps.size(), COROUTINES * STEPS));
    // A switch that went through the kernel would put the carrier to sleep about once per switch; in user space it
    // sleeps only between runs, a few times in all.
    if (trace.getCarrierSleeps() >= 0) {
      checks.add(Check.atMost("carrier sleeps per switch (voluntary_ctxt_switches over " + trace.getTimedSwitches()
          + " untraced switches)", (double) trace.getCarrierSleeps() / trace.getTimedSwitches(), MAX_CARRIER_SLEEPS_PER_SWITCH, ""));
    } else {
      result.note("The carrier's sleeps were not counted: a timed run went to another carrier, or /proc could not"
          + " be read.");
    }
    checks.add(Check.equal("distinct carrier TIDs the " + COROUTINES + " virtual threads ran on", carriers.size(),
        1).asKey());
    checks.add(Check.that("the carrier is a kernel thread of the worker, not the task thread that started them",
        Files.isDirectory(task) && carrier != trace.getTaskTid(), "in /proc/" + pid + "/task, ≠ "
        + trace.getTaskTid(), carrier + " (" + comm + ")"));
    // Yield hands the carrier to the next in the FIFO queue; a repeat would mean a coroutine skipped the queue.
    checks.add(Check.atMost("steps run twice in a row by one virtual thread while another was runnable", repeats,
        1, ""));
    return new Turns(trace.getWarmSwitchNanos() / 1000, gap(steps), sequence, List.copyOf(stepEvidence), carriers,
        comm, trace.getTaskTid(), repeats);
  }

  private static CoroutinesEvidence.Generator generator(DemoResult.Builder result, List<Check> checks,
      GeneratorTrace generator) {
    List<GeneratorEvent> events = generator.getEventsList();
    List<Long> expected = CoroutineTrace.fibonacci(VALUES);
    int wrong = CoroutineTrace.outOfOrder(events);
    long carriers = events.stream().map(GeneratorEvent::getCarrierTid).distinct().count();
    result.note("Generator, in the order it happened: " + CoroutineTrace.describe(events));
    checks.add(Check.equal("values the consumer received", generator.getReceivedList(), expected));
    checks.add(Check.equal("values the endless producer computed (only those asked for)", generator.getProduced(),
        VALUES));
    checks.add(Check.equal("generator events out of the ask → make → receive order", wrong, 0));
    checks.add(Check.equal("carrier TIDs of the producer and the consumer", carriers, 1L));
    return new CoroutinesEvidence.Generator(List.copyOf(generator.getReceivedList()), generator.getProduced(),
        wrong);
  }

  /** The median time between consecutive traced steps, in µs. */
  static double gap(List<CoroutineStep> steps) {
    double[] gaps = new double[Math.max(0, steps.size() - 1)];
    for (int i = 1; i < steps.size(); i++) {
      gaps[i - 1] = Stats.micros(steps.get(i).getNanos() - steps.get(i - 1).getNanos());
    }
    return Stats.median(gaps);
  }

  /** The worker's kernel thread count, from outside it; 0 if the worker is gone. */
  static int kernelThreads(long pid) {
    return ProcStatus.read(pid).map(ProcStatus::threads).orElse(0);
  }
}
