package dev.ipclab.parent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The deadlines of a burst of tasks decided or sent together (a batch's tasks queued in one pass, or sent in batch
 * frames), kept by one timer instead of one per task: it fires at the earliest deadline of a task not yet done,
 * hands every overdue one to {@link Overdue} once, and is armed again for the next. A task's deadline still passes
 * at its own time; only the timer's heap sees one entry, not a thousand (arming and cancelling those was a fifth of
 * the parent's time in a map).
 *
 * @param <K> what names a task to {@link Overdue}
 */
final class BurstDeadlines<K> {
  /** What to do with a task whose deadline passed before it was done. */
  interface Overdue<K> {
    void passed(K task, long timeoutMs);
  }

  private record Entry<K>(K task, CompletableFuture<?> reply, long dueNanos, long timeoutMs) {}

  private final ScheduledExecutorService timer;
  private final Overdue<K> overdue;
  private final List<Entry<K>> entries = new ArrayList<>();
  /** Entries already handed to {@link #overdue}; guarded by this. */
  private final java.util.BitSet handled = new java.util.BitSet();
  private final AtomicInteger open = new AtomicInteger();
  /** Guarded by this. */
  private ScheduledFuture<?> armed;
  private boolean finished;

  BurstDeadlines(ScheduledExecutorService timer, Overdue<K> overdue) {
    this.timer = timer;
    this.overdue = overdue;
  }

  /**
   * Adds a task, done once {@code done} completes, whose deadline is {@code timeoutNanos} from now; call
   * {@link #start} once all are added.
   */
  void add(K task, CompletableFuture<?> done, long timeoutNanos) {
    entries.add(new Entry<>(task, done, System.nanoTime() + timeoutNanos, TimeUnit.NANOSECONDS.toMillis(
        timeoutNanos)));
  }

  /** Whether no task was added. */
  boolean isEmpty() {
    return entries.isEmpty();
  }

  /**
   * Arms the timer for the tasks added; once every one is answered it is cancelled.
   *
   * @throws RejectedExecutionException if the timer no longer takes work (the pool is closing)
   */
  void start() {
    if (entries.isEmpty()) {
      return;
    }
    open.set(entries.size());
    armNext();
    for (Entry<K> e : entries) {
      e.reply().whenComplete((r, error) -> {
        if (open.decrementAndGet() == 0) {
          disarm();
        }
      });
    }
  }

  private synchronized void disarm() {
    finished = true;
    if (armed != null) {
      armed.cancel(false);
    }
  }

  /** Arms the timer for the earliest deadline among the tasks still unanswered, if any. */
  private synchronized void armNext() {
    if (finished) {
      return;
    }
    long next = Long.MAX_VALUE;
    boolean any = false;
    for (int i = 0; i < entries.size(); i++) {
      Entry<K> e = entries.get(i);
      if (!handled.get(i) && !e.reply().isDone() && (!any || e.dueNanos() - next < 0)) {
        next = e.dueNanos();
        any = true;
      }
    }
    if (!any) {
      return;
    }
    armed = timer.schedule(this::fire, Math.max(0, next - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private void fire() {
    long now = System.nanoTime();
    List<Entry<K>> due = new ArrayList<>();
    synchronized (this) {
      for (int i = 0; i < entries.size(); i++) {
        Entry<K> e = entries.get(i);
        if (!handled.get(i) && !e.reply().isDone() && now - e.dueNanos() >= 0) {
          handled.set(i);
          due.add(e);
        }
      }
    }
    for (Entry<K> e : due) {
      overdue.passed(e.task(), e.timeoutMs());
    }
    try {
      armNext();
    } catch (RejectedExecutionException e) {
      // The pool is closing: it fails what is still in flight.
    }
  }
}
