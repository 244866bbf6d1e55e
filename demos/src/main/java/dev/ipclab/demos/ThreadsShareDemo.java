package dev.ipclab.demos;

import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.demos.evidence.ThreadsShareEvidence;
import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.demos.proto.v1.CounterMode;
import dev.ipclab.demos.proto.v1.CounterRace;
import dev.ipclab.demos.proto.v1.CounterRaceResult;
import dev.ipclab.demos.proto.v1.RacerReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code threads-share}: threads of one worker race on one counter object (losing updates without
 * synchronization, exact with an atomic), see each other's writes, and are listed by the kernel as tasks of that
 * one process; the same increments spread over processes leave each process with only its own share.
 */
public final class ThreadsShareDemo implements Demo {
  static final int RACERS = 4;
  static final long INCREMENTS = 1_000_000;
  /** The unsynchronized race runs by time: many time slices, so the racers interleave even on a busy machine. */
  static final int RACE_MILLIS = 300;
  private static final String RACE = "threads-share.race";

  @Override
  public String name() {
    return "threads-share";
  }

  @Override
  public String claim() {
    return "Threads inside one process share its memory; separate processes each have their own.";
  }

  @Override
  public DemoResult run(DemoContext context) throws Exception {
    DemoResult.Builder result = DemoResult.builder(this)
        .transport(context.transport().cliName())
        .prediction(RACERS + " threads lose updates to one counter unless synchronized; " + RACERS + " processes: "
            + INCREMENTS + " each.");
    context.progress("starting " + RACERS + " workers over " + context.transport().cliName());
    WorkerPool pool = context.startPool(RACERS);
    for (PoolWorker w : pool.workers()) {
      result.pid(w.name(), w.pid());
    }
    List<Check> checks = new ArrayList<>();

    context.progress("each of " + RACERS + " processes counts " + INCREMENTS + " on its own static counter");
    List<CompletableFuture<TaskCall.Reply<CounterRaceResult>>> shares = new ArrayList<>();
    for (PoolWorker w : pool.workers()) {
      shares.add(TaskCall.async(w, RACE, race(1, CounterMode.COUNTER_MODE_ATOMIC, false),
          CounterRaceResult.parser(), TaskCall.DEFAULT_TIMEOUT));
    }
    Table.Builder processes = Table.of("The same increments in " + RACERS + " processes, one thread each",
        "worker", "pid", "increments", "its counter", "total if memory were shared");
    List<Long> processCounters = new ArrayList<>();
    for (int i = 0; i < shares.size(); i++) {
      CounterRaceResult r = TaskCall.await(shares.get(i)).value();
      PoolWorker w = pool.workers().get(i);
      processCounters.add(r.getProcessCounter());
      processes.row(w.name(), w.pid(), INCREMENTS, r.getProcessCounter(), RACERS * INCREMENTS);
    }
    boolean ownShare = processCounters.stream().allMatch(c -> c == INCREMENTS);
    checks.add(Check.that("each process's own counter", ownShare,
        "every counter = " + INCREMENTS, ownShare ? "all " + processCounters.size() + " = " + INCREMENTS
        : processCounters.toString()).asKey());

    PoolWorker worker = pool.worker(1);
    context.progress(RACERS + " threads of " + worker.name() + " race on one counter, unsynchronized");
    CounterRaceResult unsynchronized = TaskCall.call(worker, RACE,
        race(RACERS, CounterMode.COUNTER_MODE_UNSYNCHRONIZED, false).toBuilder().setDurationMs(RACE_MILLIS).build(),
        CounterRaceResult.parser()).value();
    context.progress("the same with a lock, then with an atomic counter");
    CounterRaceResult locked = TaskCall.call(worker, RACE,
        race(RACERS, CounterMode.COUNTER_MODE_LOCKED, false), CounterRaceResult.parser()).value();
    // The last race keeps its threads parked until the worker exits, so the OS can be asked about them.
    CounterRaceResult atomic = TaskCall.call(worker, RACE,
        race(RACERS, CounterMode.COUNTER_MODE_ATOMIC, true), CounterRaceResult.parser()).value();

    Table.Builder races = Table.of(RACERS + " threads of " + worker.name() + " (pid " + worker.pid()
        + ") on one counter (unsynchronized: read, pause, write+1)", "update", "runs", "tried", "counted",
        "lost", "lost (%)", "ns/addition");
    for (CounterRaceResult r : List.of(unsynchronized, locked, atomic)) {
      long lost = r.getExpected() - r.getCounted();
      String update = r == unsynchronized ? "unsynchronized"
          : r == locked ? "synchronized block" : "AtomicLong.incrementAndGet";
      // The unsynchronized race runs for a fixed time, the others for a fixed count: only the time per addition
      // compares them, so the total time is left to --json.
      races.row(update, r == unsynchronized ? "for " + RACE_MILLIS + " ms" : INCREMENTS + " each", r.getExpected(),
          r.getCounted(), lost, 100.0 * lost / r.getExpected(), (double) r.getElapsedNanos() / r.getExpected());
    }
    // The processes' counters beside the shared one: each counted its own, so none of theirs was lost.
    long processTotal = processCounters.stream().mapToLong(Long::longValue).sum();
    races.row(RACERS + " processes, own counter", INCREMENTS + " each", (long) RACERS * INCREMENTS,
        ownShare ? RACERS + " × " + INCREMENTS : processCounters.toString(), (long) RACERS * INCREMENTS - processTotal,
        100.0 * ((long) RACERS * INCREMENTS - processTotal) / ((long) RACERS * INCREMENTS), "-");
    result.keyTable(races.build()).table(processes.build());
    long lost = unsynchronized.getExpected() - unsynchronized.getCounted();
    checks.add(Check.equal("the atomic counter is exact", atomic.getCounted(), atomic.getExpected()));
    checks.add(Check.equal("the locked counter is exact", locked.getCounted(), locked.getExpected()));
    // Holds on one CPU too (checked with taskset -c 0): the pause between read and write catches preempted racers.
    checks.add(Check.atLeast("updates lost without synchronization", lost, 1, "increments").asKey());

    // The racers are parked now: ask the kernel about them from outside the worker.
    Table.Builder racers = Table.of("The racing threads, as Java and the kernel name them",
        "tid", "Java name", "kernel comm", "counter identity", "peers' marks seen");
    List<Long> racerTids = new ArrayList<>();
    boolean allInProc = true;
    for (RacerReport r : atomic.getRacersList()) {
      racerTids.add(r.getTid());
      String comm = comm(worker.pid(), r.getTid());
      allInProc &= !comm.isEmpty();
      racers.row(r.getTid(), r.getName(), comm.isEmpty() ? "(not in /proc)" : comm,
          String.format("%08x", r.getCounterIdentity()), r.getPeersSeen());
    }
    result.table(racers.build());
    long identities = atomic.getRacersList().stream().mapToInt(RacerReport::getCounterIdentity).distinct().count();
    int minPeers = atomic.getRacersList().stream().mapToInt(RacerReport::getPeersSeen).min().orElse(0);
    checks.add(Check.equal("distinct counter objects the racers incremented", identities, 1L));
    checks.add(Check.equal("fewest peers' marks a racer saw", minPeers, RACERS - 1));
    checks.add(Check.that("every racer is a task of the worker in /proc/" + worker.pid() + "/task", allInProc,
        "all " + RACERS + " tids present", racerTids.toString()));
    int kernelThreads = ProcStatus.read(worker.pid()).map(ProcStatus::threads).orElse(0);
    // Counted by name, not as growth of Threads:, which JIT compiler threads move up and down on their own.
    long namedRacers = racerTasks(worker.pid());
    // At least: racers of the earlier races may linger in /proc for a moment after Java's join returned.
    checks.add(Check.atLeast("threads named share-counter-N in /proc/" + worker.pid() + "/task", namedRacers,
        RACERS, "threads"));
    result.evidence(new ThreadsShareEvidence(List.copyOf(processCounters), race(unsynchronized), race(locked),
        race(atomic), List.copyOf(racerTids), identities, minPeers, atomic.getProcessThreads(), namedRacers,
        kernelThreads));

    result.note("The unsynchronized race runs for " + RACE_MILLIS + " ms rather than a count, so its racers"
        + " interleave over many time slices even on a busy machine; its pause between read and write makes each"
        + " addition slower, which 'ns/addition' shows next to the others.");
    result.shows(String.format(java.util.Locale.ROOT, "To the kernel a thread is a task it schedules on its"
        + " own (a TID) that shares its process's memory. The %d threads all incremented one counter object, and"
        + " %d of %d unsynchronized additions were lost when two read the same value and both wrote it plus one."
        + " A lock or an atomic makes read-modify-write indivisible: exactly %d (a lock parks the threads that"
        + " wait for it; an atomic is one CPU instruction). %d processes, each on its own copy: %d each.",
        RACERS, lost,
        unsynchronized.getExpected(), atomic.getExpected(), RACERS, INCREMENTS));
    long pid = worker.pid();
    result.command("ps -L -o pid,tid,stat,comm -p " + pid, "the share-counter-N threads, one row per TID")
        .command("grep Threads /proc/" + pid + "/status", "the kernel's thread count of " + worker.name())
        .command("ls /proc/" + pid + "/task", "one directory per thread; the racers are " + racerTids)
        .command("cat /proc/" + pid + "/task/" + racerTids.get(0) + "/comm", "the kernel's name of a racer")
        .command("jcmd " + pid + " Thread.print | grep -A2 share-counter", "the same threads as Java sees them")
        .command("pstree -p " + ProcessHandle.current().pid(), "the parent and its " + RACERS + " worker processes");
    return result.build(Verdict.of(checks));
  }

  /** One race as evidence. */
  private static ThreadsShareEvidence.Race race(CounterRaceResult r) {
    return new ThreadsShareEvidence.Race(r.getExpected(), r.getCounted(), r.getExpected() - r.getCounted(),
        Stats.millis(r.getElapsedNanos()));
  }

  private static CounterRace race(int threads, CounterMode mode, boolean keep) {
    return CounterRace.newBuilder().setThreads(threads).setIncrements(INCREMENTS).setMode(mode)
        .setKeepThreads(keep).build();
  }

  /** How many threads of {@code pid} the kernel names {@code share-counter-N}. */
  private static long racerTasks(long pid) throws IOException {
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      return tasks.filter(t -> comm(pid, Long.parseLong(t.getFileName().toString())).startsWith("share-counter-"))
          .count();
    }
  }

  /** The kernel's name of thread {@code tid} of {@code pid}, or "" if it is not there. */
  private static String comm(long pid, long tid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "comm")).trim();
    } catch (IOException e) {
      return "";
    }
  }
}
