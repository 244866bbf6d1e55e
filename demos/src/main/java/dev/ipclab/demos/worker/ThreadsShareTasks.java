package dev.ipclab.demos.worker;

import dev.ipclab.demos.proto.v1.CounterMode;
import dev.ipclab.demos.proto.v1.CounterRace;
import dev.ipclab.demos.proto.v1.CounterRaceResult;
import dev.ipclab.demos.proto.v1.RacerReport;
import dev.ipclab.transport.os.LinuxThreads;
import dev.ipclab.worker.TaskHandler;
import dev.ipclab.worker.WorkerContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;

/**
 * Tasks of the threads-share demo: threads of this worker race on one counter object, mark a shared array, and
 * report what they saw; the process's own counter is a static field, so every worker process has its own.
 */
public final class ThreadsShareTasks {
  /** One per process: each worker JVM has its own copy, whatever the other processes do to theirs. */
  private static final AtomicLong PROCESS_COUNTER = new AtomicLong();

  private ThreadsShareTasks() {}

  public static void register(WorkerContext registry) {
    registry.register("threads-share.race", TaskHandler.typed(CounterRace.parser(), ThreadsShareTasks::race));
  }

  /** The object every racer increments; a fresh one per race. */
  private static final class Counter {
    volatile long unsynchronized;
    final AtomicLong atomic = new AtomicLong();
    long locked;
  }

  static CounterRaceResult race(CounterRace request) throws Exception {
    int n = request.getThreads();
    if (n < 1 || n > 1024) {
      throw new IllegalArgumentException("threads must be 1..1024, got " + n);
    }
    long increments = request.getIncrements();
    Counter counter = new Counter();
    AtomicLongArray marks = new AtomicLongArray(n);
    CountDownLatch ready = new CountDownLatch(n);
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch marked = new CountDownLatch(n);
    CountDownLatch counted = new CountDownLatch(n);
    CountDownLatch release = new CountDownLatch(1); // kept racers wait on it until the worker exits
    RacerReport[] reports = new RacerReport[n];
    java.util.concurrent.atomic.AtomicLong start = new java.util.concurrent.atomic.AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int index = i;
      Thread t = Thread.ofPlatform().name("share-counter-" + (i + 1)).daemon().unstarted(() -> {
        try {
          long tid = LinuxThreads.currentTid();
          ready.countDown();
          go.await();
          long done = request.getDurationMs() > 0
              ? addFor(counter, request.getMode(), start.get() + request.getDurationMs() * 1_000_000L)
              : add(counter, request.getMode(), increments);
          marks.set(index, tid); // this thread's mark, for the others to read
          marked.countDown();
          marked.await();
          int seen = 0;
          for (int j = 0; j < n; j++) {
            if (j != index && marks.get(j) != 0) {
              seen++;
            }
          }
          reports[index] = RacerReport.newBuilder()
              .setTid(tid)
              .setName(Thread.currentThread().getName())
              .setCounterIdentity(System.identityHashCode(counter))
              .setPeersSeen(seen)
              .setIncrements(done)
              .build();
          counted.countDown();
          release.await(); // alive until released, so /proc shows every racer at once
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      threads.add(t);
      t.start();
    }
    ready.await();
    start.set(System.nanoTime());
    go.countDown();
    counted.await();
    long elapsed = System.nanoTime() - start.get();
    // Every racer is alive now (parked on 'release'), so the kernel lists them all.
    int processThreads = statusThreads();
    List<Long> tids = taskTids();
    if (!request.getKeepThreads()) {
      release.countDown();
      for (Thread t : threads) {
        t.join();
      }
    }
    long total = switch (request.getMode()) {
      case COUNTER_MODE_UNSYNCHRONIZED -> counter.unsynchronized;
      case COUNTER_MODE_ATOMIC -> counter.atomic.get();
      case COUNTER_MODE_LOCKED -> {
        synchronized (counter) {
          yield counter.locked;
        }
      }
      default -> throw new IllegalArgumentException("no counter mode given");
    };
    return CounterRaceResult.newBuilder()
        .setExpected(java.util.Arrays.stream(reports).mapToLong(RacerReport::getIncrements).sum())
        .setCounted(total)
        .setElapsedNanos(elapsed)
        .addAllRacers(List.of(reports))
        .setProcessThreads(processThreads)
        .addAllTaskTids(tids)
        .setProcessCounter(PROCESS_COUNTER.addAndGet(total))
        .build();
  }

  /**
   * Adds 1 until {@code deadlineNanos}, in batches, and returns how many it added. A race by time, not by count:
   * on a busy machine a fixed count can finish inside one time slice, before any other racer runs, and then
   * nothing is lost; a race of many time slices always interleaves.
   */
  private static long addFor(Counter counter, CounterMode mode, long deadlineNanos) {
    long done = 0;
    while (System.nanoTime() < deadlineNanos) {
      done += add(counter, mode, 1_000);
    }
    return done;
  }

  private static long add(Counter counter, CounterMode mode, long increments) {
    switch (mode) {
      case COUNTER_MODE_UNSYNCHRONIZED -> {
        for (long k = 0; k < increments; k++) {
          // A volatile read, then a volatile write: another thread's write in between is overwritten (lost).
          long seen = counter.unsynchronized;
          // A little work between the read and the write, as real code has: it widens the window, so that a
          // racer descheduled by the kernel (on a busy or single CPU) is most likely caught inside it.
          Thread.onSpinWait();
          Thread.onSpinWait();
          counter.unsynchronized = seen + 1;
        }
      }
      case COUNTER_MODE_ATOMIC -> {
        for (long k = 0; k < increments; k++) {
          counter.atomic.incrementAndGet();
        }
      }
      case COUNTER_MODE_LOCKED -> {
        for (long k = 0; k < increments; k++) {
          synchronized (counter) {
            counter.locked++;
          }
        }
      }
      default -> throw new IllegalArgumentException("no counter mode given");
    }
    return increments;
  }

  private static int statusThreads() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Threads:")) {
        return Integer.parseInt(line.substring("Threads:".length()).trim());
      }
    }
    throw new IOException("/proc/self/status has no Threads: line");
  }

  private static List<Long> taskTids() throws IOException {
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      return tasks.map(p -> Long.parseLong(p.getFileName().toString())).sorted().toList();
    }
  }
}
