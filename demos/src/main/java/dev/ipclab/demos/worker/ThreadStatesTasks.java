package dev.ipclab.demos.worker;

import dev.ipclab.demos.proto.v1.JavaStateCounts;
import dev.ipclab.demos.proto.v1.StateRole;
import dev.ipclab.demos.proto.v1.ThreadStatesSample;
import dev.ipclab.demos.proto.v1.ThreadStatesSampled;
import dev.ipclab.demos.proto.v1.ThreadStatesStart;
import dev.ipclab.demos.proto.v1.ThreadStatesStarted;
import dev.ipclab.demos.proto.v1.ThreadStatesStop;
import dev.ipclab.demos.proto.v1.ThreadStatesStopped;
import dev.ipclab.worker.TaskHandler;
import dev.ipclab.worker.WorkerContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tasks of the thread-states demo: start threads that compute, block on a monitor, sleep or wait on a socket;
 * sample their Java states; stop them. The parent reads the kernel's view of the same threads from /proc.
 */
public final class ThreadStatesTasks {
  private static final int MAX_THREADS = 64;
  private static StateThreads current;

  private ThreadStatesTasks() {}

  public static void register(WorkerContext registry) {
    registry.register("thread-states.start", TaskHandler.typed(ThreadStatesStart.parser(), ThreadStatesTasks::start));
    registry.register("thread-states.sample",
        TaskHandler.typed(ThreadStatesSample.parser(), ThreadStatesTasks::sample));
    registry.register("thread-states.stop", TaskHandler.typed(ThreadStatesStop.parser(), ThreadStatesTasks::stop));
  }

  static ThreadStatesStarted start(ThreadStatesStart request) throws Exception {
    int total = request.getCpuThreads() + request.getMonitorWaiters() + request.getSleepers()
        + request.getSocketReaders();
    if (request.getCpuThreads() < 1 || total > MAX_THREADS || request.getCpuLifeMillis() <= 0) {
      throw new IllegalArgumentException("expected 1 or more CPU-bound threads, at most " + MAX_THREADS
          + " threads in all and a CPU life above 0 ms; got " + request.getCpuThreads() + " CPU-bound, " + total
          + " in all, " + request.getCpuLifeMillis() + " ms");
    }
    StateThreads set;
    synchronized (ThreadStatesTasks.class) {
      if (current != null) {
        current.close();
        current = null;
      }
      current = StateThreads.start(request.getCpuThreads(), request.getMonitorWaiters(), request.getSleepers(),
          request.getSocketReaders(), request.getCpuLifeMillis());
      set = current;
    }
    ThreadStatesStarted.Builder out = ThreadStatesStarted.newBuilder()
        .setAvailableProcessors(Runtime.getRuntime().availableProcessors());
    set.members().forEach(m -> out.addThreads(m.describe()));
    return out.build();
  }

  static ThreadStatesSampled sample(ThreadStatesSample request) throws Exception {
    if (request.getSamples() < 1 || request.getWindowMillis() <= 0) {
      throw new IllegalArgumentException("expected 1 or more samples over a window above 0 ms, got "
          + request.getSamples() + " over " + request.getWindowMillis() + " ms");
    }
    List<StateThreads.Member> members = set().members();
    List<Map<String, Integer>> counts = new ArrayList<>();
    members.forEach(m -> counts.add(new HashMap<>()));
    long interval = Duration.ofMillis(request.getWindowMillis()).toNanos() / request.getSamples();
    long first = System.nanoTime();
    long last = first;
    for (int s = 0; s < request.getSamples(); s++) {
      long due = first + s * interval;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(Duration.ofNanos(wait));
      }
      last = System.nanoTime();
      for (int i = 0; i < members.size(); i++) {
        counts.get(i).merge(members.get(i).thread().getState().name(), 1, Integer::sum);
      }
    }
    ThreadStatesSampled.Builder out = ThreadStatesSampled.newBuilder()
        .setFirstSampleNanos(first)
        .setLastSampleNanos(last);
    for (int i = 0; i < members.size(); i++) {
      JavaStateCounts.Builder c = JavaStateCounts.newBuilder().setTid(members.get(i).tid());
      counts.get(i).forEach(c::putCounts);
      out.addThreads(c);
    }
    return out.build();
  }

  static ThreadStatesStopped stop(ThreadStatesStop request) throws Exception {
    StateThreads set = set();
    List<StateThreads.Member> members = set.members();
    long targeted = request.getCpuOnly()
        ? members.stream().filter(m -> m.role() == StateRole.STATE_ROLE_CPU).count() : members.size();
    int alive = set.stop(request.getCpuOnly(), Duration.ofSeconds(5));
    return ThreadStatesStopped.newBuilder().setStopped((int) targeted - alive).setStillAlive(alive).build();
  }

  private static synchronized StateThreads set() {
    if (current == null) {
      throw new IllegalStateException("no thread-states set in this worker: run thread-states.start first");
    }
    return current;
  }
}
