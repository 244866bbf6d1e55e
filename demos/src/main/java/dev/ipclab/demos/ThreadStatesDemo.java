package dev.ipclab.demos;

import dev.ipclab.parent.PoolWorker;
import dev.ipclab.demos.evidence.ThreadStatesEvidence;
import dev.ipclab.demos.evidence.ThreadStatesEvidence.ThreadWindow;
import dev.ipclab.demos.os.TaskSched;
import dev.ipclab.demos.proto.v1.JavaStateCounts;
import dev.ipclab.demos.proto.v1.StateRole;
import dev.ipclab.demos.proto.v1.StateThread;
import dev.ipclab.demos.proto.v1.ThreadStatesSample;
import dev.ipclab.demos.proto.v1.ThreadStatesSampled;
import dev.ipclab.demos.proto.v1.ThreadStatesStart;
import dev.ipclab.demos.proto.v1.ThreadStatesStarted;
import dev.ipclab.demos.proto.v1.ThreadStatesStop;
import dev.ipclab.demos.proto.v1.ThreadStatesStopped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code thread-states}: more CPU-bound threads than CPUs wait in the run queue for their turn, while threads
 * blocked on a monitor, asleep or waiting on a socket use no CPU at all; the kernel's schedstat and state letters
 * say so next to Java's Thread.State, which calls a thread blocked in a socket read RUNNABLE.
 */
public final class ThreadStatesDemo implements Demo {
  static final Duration WINDOW = Duration.ofMillis(2_500);
  static final int SAMPLES = 25;
  /** Lets the JIT compile the CPU loop and the monitor waiters stop spinning before the window opens. */
  static final Duration WARMUP = Duration.ofMillis(500);
  /** The CPU-bound threads end by themselves after this even if no stop arrives. */
  static final Duration CPU_LIFE = Duration.ofSeconds(30);
  static final int WAITERS = 2;
  static final int SLEEPERS = 2;
  static final int READERS = 2;
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  @Override
  public String name() {
    return "thread-states";
  }

  @Override
  public String claim() {
    return "A thread is running, ready (waiting for a CPU) or blocked; only a running one uses a CPU.";
  }

  @Override
  public DemoResult run(DemoContext context) throws Exception {
    DemoResult.Builder result = DemoResult.builder(this).transport(context.transport().cliName());
    context.progress("starting a worker over " + context.transport().cliName());
    PoolWorker worker = context.startPool(1).worker(1);
    long pid = worker.pid();
    result.pid(worker.name(), pid);
    int cpus = Runtime.getRuntime().availableProcessors();
    int cpuThreads = Math.max(3, cpus + 2);
    context.progress("starting " + cpuThreads + " CPU-bound threads and " + (1 + WAITERS + SLEEPERS + READERS)
        + " that block or sleep in " + worker.name());
    ThreadStatesStarted started = TaskCall.call(worker, "thread-states.start", ThreadStatesStart.newBuilder()
        .setCpuThreads(cpuThreads).setMonitorWaiters(WAITERS).setSleepers(SLEEPERS).setSocketReaders(READERS)
        .setCpuLifeMillis(CPU_LIFE.toMillis()).build(), ThreadStatesStarted.parser()).value();
    // Stops whatever is still running when the context closes (after --keep too), before the worker exits.
    context.track((AutoCloseable) () -> stop(worker, false));
    int cores = started.getAvailableProcessors();
    List<StateThread> threads = started.getThreadsList();
    long firstTid = threads.get(0).getTid();
    if (!Files.exists(TaskSched.taskFile(pid, firstTid, "schedstat"))) {
      stop(worker, true);
      return result.prediction("Needs /proc/<pid>/task/<tid>/schedstat.")
          .evidence(new ThreadStatesEvidence(cores, null, tidsByRole(threads), Map.of(), List.of(), List.of(),
              List.of(), null, null, null, null, null))
          .build(Verdict.notApplicable("this kernel has no " + TaskSched.taskFile(pid, firstTid, "schedstat")
              + " (built without CONFIG_SCHED_INFO / schedstats), so run-queue time cannot be read"));
    }
    result.prediction(cpuThreads + " CPU-bound threads, " + cores + " CPU(s): " + Math.min(cores, cpuThreads)
        + " run, " + Math.max(0, cpuThreads - cores) + " wait ready (all R); blocked ≈ 0 ms on CPU (S).")
        .note("Predicted in full: each CPU-bound thread about " + Math.round(100.0 * Math.min(1, (double) cores
            / cpuThreads)) + "% of the window on a CPU, state R (running or runnable) whenever sampled. Java"
            + " says RUNNABLE for the computing threads and for the socket readers too, which the kernel has"
            + " asleep.");

    Thread.sleep(WARMUP);
    context.progress("watching the " + threads.size() + " threads for " + WINDOW.toMillis() + " ms from outside");
    CompletableFuture<TaskCall.Reply<ThreadStatesSampled>> javaSide = TaskCall.async(worker, "thread-states.sample",
        ThreadStatesSample.newBuilder().setWindowMillis(WINDOW.toMillis()).setSamples(SAMPLES).build(),
        ThreadStatesSampled.parser(), TaskCall.DEFAULT_TIMEOUT);
    List<Long> tids = threads.stream().map(StateThread::getTid).toList();
    SchedWindow window = SchedWindow.measure(pid, tids, WINDOW, SAMPLES);
    ThreadStatesSampled sampled = TaskCall.await(javaSide).value();
    ThreadStatesStopped cpuStopped = stop(worker, true); // nothing keeps burning CPU after the window, even with --keep
    Map<Long, String> javaStates = new LinkedHashMap<>();
    for (JavaStateCounts c : sampled.getThreadsList()) {
      javaStates.put(c.getTid(), mostFrequent(c.getCountsMap()));
    }
    List<ThreadWindow> perThread = report(result, threads, window, javaStates, cores);
    result.note("The CPU-bound threads were stopped right after the window, so that --keep burns no CPU; the"
        + " others stay parked until the worker exits. 'R' means running or ready: the run-queue wait is the only"
        + " way to tell them apart.");
    String load = loadAverage();
    result.note("Load average over the last minute: " + load + " on " + cores + " CPU(s). Other busy processes"
        + " lengthen the run-queue wait and shorten the on-CPU time; the checks allow for that.");
    if (cores == 1) {
      result.note("With 1 CPU, " + cpuThreads + " CPU-bound threads still outnumber the cores.");
    }
    StateThread cpu = threads.get(0);
    StateThread sleeper = threads.stream().filter(t -> t.getRole() == StateRole.STATE_ROLE_SLEEPING).findFirst()
        .orElse(cpu);
    result.command("cat /proc/" + pid + "/task/" + sleeper.getTid() + "/schedstat",
            "sleeper tid " + sleeper.getTid() + " (pid " + pid + "): on-CPU and run-queue ns stay put")
        .command("ps -L -o tid,stat,pcpu,comm -p " + pid, "the state-* threads of " + worker.name() + " with their"
            + " state letter")
        .command("top -H -p " + pid, "per-thread CPU; the CPU-bound ones were stopped after the window")
        .command("jcmd " + pid + " Thread.print | grep -A2 '\"state-'", "Java's states: BLOCKED, TIMED_WAITING, and"
            + " RUNNABLE in socketRead for the socket readers");
    Split split = Split.of(threads, window);
    result.evidence(new ThreadStatesEvidence(cores, Stats.millis(window.windowNanos()), tidsByRole(threads),
        Collections.unmodifiableMap(javaStates), perThread, split.cpuOn(), split.cpuWait(), split.passiveMaxOn(),
        (double) split.cpuR() / split.cpuSamples(), (double) split.passiveS() / split.passiveSamples(),
        cpuStopped.getStopped(), load));
    return result.build(Verdict.of(checks(result, threads, window, javaStates, cores, split)));
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }

  private static ThreadStatesStopped stop(PoolWorker worker, boolean cpuOnly) throws Exception {
    return TaskCall.await(TaskCall.async(worker, "thread-states.stop", ThreadStatesStop.newBuilder()
        .setCpuOnly(cpuOnly).build(), ThreadStatesStopped.parser(), STOP_TIMEOUT)).value();
  }

  /** Adds the tables; returns each thread's times in the window, for the evidence (only those read at both ends). */
  private static List<ThreadWindow> report(DemoResult.Builder result, List<StateThread> threads,
      SchedWindow window, Map<Long, String> javaStates, int cores) {
    Table.Builder table = Table.of("The threads of one worker over " + Math.round(Stats.millis(window.windowNanos()))
        + " ms, as Java and the kernel see them (" + cores + " CPU(s))", "tid", "Java name", "role",
        "Java state (most seen)", "kernel state letters", "on CPU (ms)", "run-queue wait (ms)",
        "on CPU (% of window)");
    List<ThreadWindow> perThread = new ArrayList<>();
    for (StateThread t : threads) {
      SchedWindow.ThreadSeen seen = window.threads().get(t.getTid());
      TaskSched d = seen.delta() == null ? new TaskSched(0, 0, 0) : seen.delta();
      // For the report's stacked bars (the window: on CPU, on the run queue, neither); only what was read.
      if (seen.delta() != null) {
        perThread.add(new ThreadWindow(t.getTid(), roleKey(t.getRole()), Stats.millis(d.onCpuNanos()),
            Stats.millis(d.runQueueNanos())));
      }
      table.row(t.getTid(), t.getName(), roleText(t.getRole()), javaStates.getOrDefault(t.getTid(), "?"),
          seen.lettersText(), Stats.millis(d.onCpuNanos()), Stats.millis(d.runQueueNanos()),
          100.0 * d.onCpuNanos() / window.windowNanos());
    }
    result.keyTable(byRole(threads, window, javaStates)).table(table.build())
        .table(Table.of("Three vocabularies for one thread's state, and the counters that split running from ready",
            "textbook state", "Java Thread.State", "kernel letter (/proc/.../stat)", "schedstat counter that grows")
            .row("running (on a CPU)", "RUNNABLE", "R", "field 1: on-CPU ns")
            .row("ready (runnable, waiting for a CPU)", "RUNNABLE", "R", "field 2: run-queue ns")
            .row("blocked on a lock", "BLOCKED", "S", "neither")
            .row("waiting / sleeping", "WAITING, TIMED_WAITING", "S", "neither")
            .row("blocked in IO (socket read)", "RUNNABLE (!)", "S", "neither")
            .build());
    return List.copyOf(perThread);
  }

  /** The threads' tids by role, in the order the worker started them. */
  private static Map<String, List<Long>> tidsByRole(List<StateThread> threads) {
    Map<String, List<Long>> byRole = new LinkedHashMap<>();
    threads.forEach(t -> byRole.computeIfAbsent(roleKey(t.getRole()), k -> new ArrayList<>()).add(t.getTid()));
    return Collections.unmodifiableMap(byRole);
  }

  /**
   * The window's numbers by kind of thread, for the checks and the evidence.
   *
   * @param cpuOn each CPU-bound thread's time on a CPU, ms
   * @param cpuWait each CPU-bound thread's time in the run queue, ms
   * @param passiveMaxOn the most time on a CPU of a thread that blocks or sleeps, ms
   * @param cpuR samples with state R of the CPU-bound threads, of {@code cpuSamples}
   * @param passiveS samples with state S of the others, of {@code passiveSamples}
   * @param allRead whether schedstat was read at both ends of the window for every thread
   */
  private record Split(List<Double> cpuOn, List<Double> cpuWait, double passiveMaxOn, int cpuR, int cpuSamples,
      int passiveS, int passiveSamples, boolean allRead) {
    static Split of(List<StateThread> threads, SchedWindow window) {
      List<Double> cpuOn = new ArrayList<>();
      List<Double> cpuWait = new ArrayList<>();
      double passiveMaxOn = 0;
      int cpuR = 0;
      int cpuSamples = 0;
      int passiveS = 0;
      int passiveSamples = 0;
      boolean allRead = true;
      for (StateThread t : threads) {
        SchedWindow.ThreadSeen seen = window.threads().get(t.getTid());
        allRead &= seen.delta() != null;
        TaskSched d = seen.delta() == null ? new TaskSched(0, 0, 0) : seen.delta();
        if (t.getRole() == StateRole.STATE_ROLE_CPU) {
          cpuOn.add(Stats.millis(d.onCpuNanos()));
          cpuWait.add(Stats.millis(d.runQueueNanos()));
          cpuR += seen.count('R');
          cpuSamples += seen.samples();
        } else {
          passiveMaxOn = Math.max(passiveMaxOn, Stats.millis(d.onCpuNanos()));
          passiveS += seen.count('S');
          passiveSamples += seen.samples();
        }
      }
      return new Split(List.copyOf(cpuOn), List.copyOf(cpuWait), passiveMaxOn, cpuR, cpuSamples, passiveS,
          passiveSamples, allRead);
    }
  }

  private static List<Check> checks(DemoResult.Builder result, List<StateThread> threads, SchedWindow window,
      Map<Long, String> javaStates, int cores, Split split) {
    double windowMs = Stats.millis(window.windowNanos());
    List<Double> cpuOn = split.cpuOn();
    List<Double> cpuWait = split.cpuWait();
    double passiveMaxOn = split.passiveMaxOn();
    int cpuR = split.cpuR();
    int cpuSamples = split.cpuSamples();
    int passiveS = split.passiveS();
    int passiveSamples = split.passiveSamples();
    boolean allRead = split.allRead();
    int n = cpuOn.size();
    double sumOn = cpuOn.stream().mapToDouble(Double::doubleValue).sum();
    double sumWait = cpuWait.stream().mapToDouble(Double::doubleValue).sum();
    result.shows(String.format(java.util.Locale.ROOT, "Each state has three names: running or ready is Java's"
        + " RUNNABLE and the kernel's R; blocked is BLOCKED, WAITING or TIMED_WAITING (RUNNABLE in a socket read)"
        + " and S. R does not say which of running or ready; schedstat does: over %.0f ms the %d CPU-bound threads"
        + " ran %.0f ms on %d CPU(s) and waited ready %.0f ms (together about threads × window: one that never"
        + " blocks is always one or the other). The waiting threads ran %.0f ms at most in the window.",
        windowMs, n, sumOn, cores, sumWait, passiveMaxOn));
    List<Check> checks = new ArrayList<>();
    checks.add(Check.that("schedstat read at both ends of the window for every thread", allRead, "all "
        + threads.size(), allRead ? "all" : "some vanished"));
    // n threads that never block on c CPUs: about (n - c) × window of waiting; a quarter of it allows for noise.
    checks.add(Check.atLeast("run-queue wait of the " + n + " CPU-bound threads (predicted "
        + Math.round((n - cores) * windowMs) + " ms; ¼ of it at least)", sumWait, 0.25 * (n - cores) * windowMs,
        "ms").asKey());
    // Other processes may take CPU time too, so fairness is judged among the CPU-bound threads themselves.
    double meanOn = sumOn / n;
    checks.add(Check.atLeast("least on-CPU time of a CPU-bound thread (a quarter of their mean "
        + Math.round(meanOn) + " ms)", cpuOn.stream().mapToDouble(Double::doubleValue).min().orElse(0),
        0.25 * meanOn, "ms"));
    // A thread that never blocks is on a CPU or in the run queue all the time: the two add up to the window. The
    // kernel adds a wait to schedstat only when it ends and CPU time at ticks and switches, so a wait that spans
    // an end of the window moves a whole wait period (tens of ms on a busy machine) across it: hence ± 25%; a
    // thread that blocked for part of the window would fall below.
    double[] busy = new double[n];
    for (int i = 0; i < n; i++) {
      busy[i] = 100 * (cpuOn.get(i) + cpuWait.get(i)) / windowMs;
    }
    double leastBusy = Arrays.stream(busy).min().orElse(0);
    double mostBusy = Arrays.stream(busy).max().orElse(0);
    checks.add(Check.that("on CPU + run-queue wait of each CPU-bound thread, as % of the window", leastBusy >= 75
        && mostBusy <= 125, "75 … 125 %", String.format(Locale.ROOT, "%.1f … %.1f %%", leastBusy,
        mostBusy)));
    checks.add(Check.atMost("on-CPU time of the CPU-bound threads, summed (≤ CPUs × window + 10%)", sumOn,
        1.1 * cores * windowMs, "ms"));
    checks.add(Check.atMost("most CPU time of any waiting thread (2% of the window)", passiveMaxOn,
        0.02 * windowMs, "ms").asKey());
    checks.add(Check.atLeast("samples with state R among the CPU-bound threads", 100.0 * cpuR / cpuSamples, 80,
        "%"));
    checks.add(Check.atLeast("samples with state S among the others", 100.0 * passiveS / passiveSamples, 90, "%"));
    for (StateRole role : List.of(StateRole.STATE_ROLE_CPU, StateRole.STATE_ROLE_LOCK_HOLDER,
        StateRole.STATE_ROLE_MONITOR_BLOCKED, StateRole.STATE_ROLE_SLEEPING, StateRole.STATE_ROLE_SOCKET_READ)) {
      List<String> seen = threads.stream().filter(t -> t.getRole() == role)
          .map(t -> javaStates.getOrDefault(t.getTid(), "?")).toList();
      String expected = expectedJavaState(role);
      checks.add(Check.that("Java state of the " + roleText(role) + " threads", !seen.isEmpty()
          && seen.stream().allMatch(expected::equals), "all " + expected, String.join(", ", seen)));
    }
    return checks;
  }

  static String expectedJavaState(StateRole role) {
    return switch (role) {
      case STATE_ROLE_CPU, STATE_ROLE_SOCKET_READ -> "RUNNABLE";
      case STATE_ROLE_LOCK_HOLDER, STATE_ROLE_SLEEPING -> "TIMED_WAITING";
      case STATE_ROLE_MONITOR_BLOCKED -> "BLOCKED";
      default -> "?";
    };
  }

  /** One row per role: what the short output shows, the threads summed. */
  private static Table byRole(List<StateThread> threads, SchedWindow window, Map<Long, String> javaStates) {
    Table.Builder t = Table.of("The worker's threads by role over " + Math.round(Stats.millis(window.windowNanos()))
        + " ms, each read " + SAMPLES + " times (R: running or ready)", "role",
        "threads", "Java state", "kernel letter × reads", "on CPU (ms)", "ready (ms)");
    Map<StateRole, List<StateThread>> roles = new LinkedHashMap<>();
    threads.forEach(th -> roles.computeIfAbsent(th.getRole(), k -> new ArrayList<>()).add(th));
    roles.forEach((role, list) -> {
      double on = 0;
      double queue = 0;
      Map<Character, Integer> letters = new java.util.TreeMap<>();
      java.util.Set<String> javaSeen = new java.util.TreeSet<>();
      for (StateThread th : list) {
        SchedWindow.ThreadSeen seen = window.threads().get(th.getTid());
        if (seen.delta() != null) {
          on += Stats.millis(seen.delta().onCpuNanos());
          queue += Stats.millis(seen.delta().runQueueNanos());
        }
        seen.letters().forEach((l, c) -> letters.merge(l, c, Integer::sum));
        javaSeen.add(javaStates.getOrDefault(th.getTid(), "?"));
      }
      StringBuilder seenLetters = new StringBuilder();
      letters.forEach((l, c) -> seenLetters.append(seenLetters.isEmpty() ? "" : " ").append(l).append('×').append(c));
      t.row(roleText(role), list.size(), String.join(", ", javaSeen), seenLetters.toString(), on, queue);
    });
    return t.build();
  }

  static String roleText(StateRole role) {
    return switch (role) {
      case STATE_ROLE_CPU -> "CPU-bound";
      case STATE_ROLE_LOCK_HOLDER -> "lock holder (asleep)";
      case STATE_ROLE_MONITOR_BLOCKED -> "monitor waiter";
      case STATE_ROLE_SLEEPING -> "sleeper";
      case STATE_ROLE_SOCKET_READ -> "socket reader";
      default -> role.name();
    };
  }

  private static String roleKey(StateRole role) {
    return role.name().substring("STATE_ROLE_".length()).toLowerCase(Locale.ROOT);
  }

  /** The state seen most often; ties go to the name first in alphabetical order, so the result is stable. */
  static String mostFrequent(Map<String, Integer> counts) {
    return counts.entrySet().stream()
        .max(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue)
            .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
        .map(Map.Entry::getKey).orElse("?");
  }
}
