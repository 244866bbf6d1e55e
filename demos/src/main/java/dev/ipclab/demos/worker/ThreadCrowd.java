package dev.ipclab.demos.worker;

import dev.ipclab.demos.proto.v1.CrowdJoined;
import dev.ipclab.demos.proto.v1.CrowdKind;
import dev.ipclab.demos.proto.v1.CrowdStart;
import dev.ipclab.demos.proto.v1.CrowdStarted;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many threads of one kind, virtual or platform, that all sleep at once: what starting them costs in time, resident
 * memory and heap, and how they end when interrupted. Platform threads stop at the first thread the OS refuses.
 */
final class ThreadCrowd {
  private static final int MAX_COUNT = 200_000;
  /** How long to wait for every started thread to show TIMED_WAITING. */
  private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(20);

  private final CrowdStart request;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicInteger interruptedAsleep = new AtomicInteger();
  private final AtomicInteger ended = new AtomicInteger();

  ThreadCrowd(CrowdStart request) {
    if (request.getCount() < 1 || request.getCount() > MAX_COUNT || request.getSleepMillis() <= 0
        || request.getKind() == CrowdKind.CROWD_KIND_UNSPECIFIED) {
      throw new IllegalArgumentException("expected a kind, 1 to " + MAX_COUNT + " threads and a sleep above 0 ms;"
          + " got " + request.getKind() + ", " + request.getCount() + ", " + request.getSleepMillis() + " ms");
    }
    this.request = request;
  }

  CrowdStarted start() throws IOException, InterruptedException {
    long heapBefore = heapAfterGc();
    long rssBefore = rssKib();
    Thread.Builder builder = request.getKind() == CrowdKind.CROWD_KIND_VIRTUAL ? Thread.ofVirtual().name("crowd-", 1)
        : Thread.ofPlatform().name("crowd-", 1).daemon().stackSize(request.getStackBytes());
    Duration sleep = Duration.ofMillis(request.getSleepMillis());
    Runnable body = () -> {
      try {
        Thread.sleep(sleep);
      } catch (InterruptedException e) {
        interruptedAsleep.incrementAndGet();
      }
      ended.incrementAndGet();
    };
    long capNanos = request.getTimeCapMillis() == 0 ? Long.MAX_VALUE
        : TimeUnit.MILLISECONDS.toNanos(request.getTimeCapMillis());
    String stoppedBy = "";
    long[] startEach = new long[request.getCount()];
    long start = System.nanoTime();
    try {
      for (int i = 0; i < request.getCount(); i++) {
        if (System.nanoTime() - start > capNanos) {
          stoppedBy = request.getTimeCapMillis() + " ms cap";
          break;
        }
        startEach[i] = ThreadStarts.timedStart(builder, body, threads);
      }
    } catch (OutOfMemoryError e) {
      // "unable to create native thread": the OS's limit, which this experiment looks for
      stoppedBy = e.getMessage();
    }
    int asleep = awaitAsleep();
    long startNanos = System.nanoTime() - start;
    long rssAfter = rssKib();
    int kernelThreads = kernelThreads();
    long heapAfter = heapAfterGc();
    return CrowdStarted.newBuilder()
        .setStarted(threads.size())
        .setAsleep(asleep)
        .setStartNanos(startNanos)
        .setRssBeforeKib(rssBefore)
        .setRssAfterKib(rssAfter)
        .setHeapBeforeBytes(heapBefore)
        .setHeapAfterBytes(heapAfter)
        .setStoppedBy(stoppedBy == null ? "OutOfMemoryError" : stoppedBy)
        .setKernelThreads(kernelThreads)
        .setStartMedianNanos(ThreadStarts.median(startEach, threads.size()))
        .build();
  }

  /** Waits until every started thread is in TIMED_WAITING, or the settle time is over; returns how many are. */
  private int awaitAsleep() throws InterruptedException {
    long deadline = System.nanoTime() + SETTLE_NANOS;
    int from = 0; // threads before this index were seen asleep: a sleeper stays asleep until interrupted
    while (true) {
      while (from < threads.size() && threads.get(from).getState() == Thread.State.TIMED_WAITING) {
        from++;
      }
      if (from == threads.size() || System.nanoTime() > deadline) {
        return from;
      }
      Thread.sleep(1);
    }
  }

  CrowdJoined join() throws InterruptedException {
    long start = System.nanoTime();
    for (Thread t : threads) {
      t.interrupt();
    }
    // Wait for the count first: joining one unfinished thread after another would park and wake this thread up
    // to once per crowd member, which measures this thread's wake-ups instead of the crowd's.
    long deadline = System.nanoTime() + SETTLE_NANOS;
    while (ended.get() < threads.size() && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    for (Thread t : threads) {
      t.join();
    }
    long joinNanos = System.nanoTime() - start;
    threads.clear(); // the crowd's last references: what the heap sheds now is what the crowd held
    return CrowdJoined.newBuilder()
        .setJoined(ended.get())
        .setInterruptedAsleep(interruptedAsleep.get())
        .setJoinNanos(joinNanos)
        .setHeapReleasedBytes(heapAfterGc())
        .build();
  }

  private static long heapAfterGc() {
    System.gc(); // the serial collector's full GC: what is left is live
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long rssKib() throws IOException {
    return statusField("VmRSS:");
  }

  private static int kernelThreads() throws IOException {
    return (int) statusField("Threads:");
  }

  private static long statusField(String name) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(name)) {
        return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
      }
    }
    throw new IOException("/proc/self/status has no " + name + " line");
  }
}
