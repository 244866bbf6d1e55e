package dev.ipclab.demos;

import dev.ipclab.demos.os.TaskSched;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's view of some threads of a process over a time window, read from outside it: the schedstat delta
 * (on-CPU and run-queue time) between the window's start and end, and the state letters sampled in between.
 *
 * @param windowNanos the time between the first and the last schedstat read, in nanoseconds
 * @param threads per TID, in the order asked for
 */
record SchedWindow(long windowNanos, Map<Long, ThreadSeen> threads) {

  /**
   * One thread's window.
   *
   * @param delta on-CPU and run-queue time during the window; null if the thread vanished
   * @param letters each state letter seen to how often
   */
  record ThreadSeen(TaskSched delta, Map<Character, Integer> letters) {
    /** The letters as text, e.g. "R×24 S×1". */
    String lettersText() {
      StringBuilder out = new StringBuilder();
      letters.forEach((letter, n) -> out.append(out.isEmpty() ? "" : " ").append(letter).append('×').append(n));
      return out.toString();
    }

    int count(char letter) {
      return letters.getOrDefault(letter, 0);
    }

    int samples() {
      return letters.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /**
   * Reads schedstat of every thread, samples their state letters {@code samples} times over {@code window}, and
   * reads schedstat again.
   */
  static SchedWindow measure(long pid, List<Long> tids, Duration window, int samples) throws InterruptedException {
    Map<Long, TaskSched> before = new LinkedHashMap<>();
    Map<Long, Map<Character, Integer>> letters = new LinkedHashMap<>();
    long start = System.nanoTime();
    for (long tid : tids) {
      before.put(tid, TaskSched.read(pid, tid).orElse(null));
      letters.put(tid, new TreeMap<>());
    }
    long interval = window.toNanos() / samples;
    for (int s = 1; s <= samples; s++) {
      long wait = start + s * interval - interval / 2 - System.nanoTime(); // mid-interval sampling
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      for (long tid : tids) {
        letters.get(tid).merge(TaskSched.stateLetter(pid, tid), 1, Integer::sum);
      }
    }
    long wait = start + window.toNanos() - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
    Map<Long, ThreadSeen> threads = new LinkedHashMap<>();
    long end = System.nanoTime();
    for (long tid : tids) {
      TaskSched first = before.get(tid);
      TaskSched last = TaskSched.read(pid, tid).orElse(null);
      threads.put(tid, new ThreadSeen(first == null || last == null ? null : last.minus(first), letters.get(tid)));
    }
    return new SchedWindow(end - start, threads);
  }
}
