package dev.ipclab.demos.trace;

import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.transport.os.LinuxThreads;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Collects what a run measured for its timeline: each task's round trip (parent thread, send and receive time,
 * worker thread, start and end time), spans a demo measured itself, and the names of the processes and threads.
 * Every time is a {@code System.nanoTime()} value, which is CLOCK_MONOTONIC and so shared by all processes.
 * Thread-safe.
 */
public final class TraceRecorder {
  /** Which recorder, if any, records the tasks of a worker; weak, so closed workers do not stay reachable. */
  private static final Map<PoolWorker, TraceRecorder> ATTACHED =
      Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * One task: the parent thread that handed the request to the connection, the worker thread that ran it, and
   * the parent thread that took the reply (a connection's I/O thread, usually).
   *
   * @param kind the task kind, e.g. {@code parallelism.run}
   * @param sender the parent thread that sent the request
   * @param sendNanos when it started handing the request to the connection
   * @param sentNanos when the connection had it
   * @param worker the worker thread that ran the handler
   * @param startNanos when the handler started, in the worker
   * @param endNanos when the handler returned, in the worker
   * @param receiver the parent thread that took the reply
   * @param receiveNanos when the reply reached the task's future
   * @param decodedNanos when the reply's payload was decoded
   */
  public record Task(String kind, ThreadId sender, long sendNanos, long sentNanos, ThreadId worker,
      long startNanos, long endNanos, ThreadId receiver, long receiveNanos, long decodedNanos) {}

  /** A span a demo measured itself, e.g. one work unit on one thread. */
  public record Span(String name, String category, ThreadId thread, long startNanos, long endNanos) {}

  /** A span a demo measured that may overlap others on its thread, e.g. one image's fetch on an event loop. */
  public record AsyncSpan(String name, String category, ThreadId thread, long startNanos, long endNanos) {}

  /** A moment a demo measured, e.g. a coroutine step on its carrier thread. */
  public record Mark(String name, String category, ThreadId thread, long nanos) {}

  /** A real process id and Linux thread id. */
  public record ThreadId(long pid, long tid) {}

  private final List<Task> tasks = new ArrayList<>();
  private final List<Span> spans = new ArrayList<>();
  private final List<AsyncSpan> asyncSpans = new ArrayList<>();
  private final List<Mark> marks = new ArrayList<>();
  private final Map<Long, String> processNames = new LinkedHashMap<>();
  private final Map<ThreadId, String> threadNames = new LinkedHashMap<>();

  /** The recorder that records {@code worker}'s tasks, or null if none does. */
  public static TraceRecorder of(PoolWorker worker) {
    return ATTACHED.get(worker);
  }

  /** Records the tasks of every worker of {@code pool} from now on, and names their processes. */
  public void attach(WorkerPool pool) {
    for (PoolWorker w : pool.workers()) {
      process(w.pid(), w.name() + " (" + pool.transport().cliName() + ")");
      ATTACHED.put(w, this);
    }
  }

  /** The calling thread of this process, named after its Java name. */
  public ThreadId currentThread() {
    ThreadId id = new ThreadId(ProcessHandle.current().pid(), LinuxThreads.currentTid());
    process(id.pid(), "ipclab parent");
    thread(id, Thread.currentThread().getName());
    return id;
  }

  /** Names a process; the first name given wins. */
  public synchronized void process(long pid, String name) {
    processNames.putIfAbsent(pid, name);
  }

  /** Names a thread; the first name given wins. */
  public synchronized void thread(ThreadId id, String name) {
    threadNames.putIfAbsent(id, name);
  }

  public synchronized void task(Task task) {
    tasks.add(task);
  }

  public synchronized void span(Span span) {
    spans.add(span);
  }

  public synchronized void asyncSpan(AsyncSpan span) {
    asyncSpans.add(span);
  }

  public synchronized void mark(Mark mark) {
    marks.add(mark);
  }

  public synchronized List<Task> tasks() {
    return List.copyOf(tasks);
  }

  public synchronized List<Span> spans() {
    return List.copyOf(spans);
  }

  public synchronized List<AsyncSpan> asyncSpans() {
    return List.copyOf(asyncSpans);
  }

  public synchronized List<Mark> marks() {
    return List.copyOf(marks);
  }

  public synchronized Map<Long, String> processNames() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(processNames));
  }

  public synchronized Map<ThreadId, String> threadNames() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(threadNames));
  }
}
