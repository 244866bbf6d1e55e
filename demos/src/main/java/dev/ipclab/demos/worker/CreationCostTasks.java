package dev.ipclab.demos.worker;

import dev.ipclab.demos.os.ContextSwitches;
import dev.ipclab.demos.proto.v1.DurationSamples;
import dev.ipclab.demos.proto.v1.Handoff;
import dev.ipclab.demos.proto.v1.HandoffMode;
import dev.ipclab.demos.proto.v1.SpawnThreads;
import dev.ipclab.demos.proto.v1.ThreadKind;
import dev.ipclab.worker.TaskHandler;
import dev.ipclab.worker.WorkerContext;
import dev.ipclab.transport.os.LinuxThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tasks of the creation-cost demo: what a thread costs to create, and what a hand-off between two threads of one
 * process costs, measured inside a worker so they compare with the parent's process and IPC figures.
 */
public final class CreationCostTasks {
  /** A spinning hand-off that has not finished in this long has a machine too busy for it. */
  private static final long SPIN_LIMIT_NANOS = 20_000_000_000L;

  private CreationCostTasks() {}

  public static void register(WorkerContext registry) {
    registry.register("creation-cost.spawn-threads",
        TaskHandler.typed(SpawnThreads.parser(), CreationCostTasks::spawnThreads));
    registry.register("creation-cost.handoff", TaskHandler.typed(Handoff.parser(), CreationCostTasks::handoff));
  }

  static DurationSamples spawnThreads(SpawnThreads request) throws InterruptedException {
    Thread.Builder builder = switch (request.getKind()) {
      case THREAD_KIND_PLATFORM -> Thread.ofPlatform().name("creation-cost-platform");
      case THREAD_KIND_VIRTUAL -> Thread.ofVirtual().name("creation-cost-virtual");
      default -> throw new IllegalArgumentException("no thread kind given");
    };
    // Every thread waits until all are started: what is timed is start() alone, as in the coroutines crowds.
    CountDownLatch release = new CountDownLatch(1);
    Runnable waits = () -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    DurationSamples.Builder samples = DurationSamples.newBuilder();
    List<Thread> started = new ArrayList<>();
    try {
      for (int i = 0; i < request.getWarmup() + request.getCount(); i++) {
        long took = ThreadStarts.timedStart(builder, waits, started);
        if (i >= request.getWarmup()) {
          samples.addNanos(took);
        }
      }
    } finally {
      release.countDown();
      for (Thread t : started) {
        t.join();
      }
    }
    return samples.build();
  }

  static DurationSamples handoff(Handoff request) throws InterruptedException {
    int total = request.getWarmup() + request.getCount();
    long[] sleeps = new long[2];
    long[] nanos = request.getMode() == HandoffMode.HANDOFF_MODE_BLOCKING
        ? blocking(total, request.getWarmup(), request.getMessageBytes(), sleeps)
        : spinning(total, request.getWarmup(), sleeps);
    DurationSamples.Builder samples = DurationSamples.newBuilder().setReceiverSleeps(sleeps[1] - sleeps[0]);
    for (int i = request.getWarmup(); i < total; i++) {
      samples.addNanos(nanos[i]);
    }
    return samples.build();
  }

  /**
   * Round trips through two SynchronousQueues: a taker spins briefly, then parks, and a put wakes a parked one.
   * With {@code messageBytes}, every other token (the odd trips) is an array of that size: threads share the heap,
   * so it goes over as a reference, and the echo thread touches its last byte to show it has the whole of it.
   * Alternating in one run keeps both kinds under the same conditions: whether the receiver is still spinning or
   * already asleep when a token comes varies from run to run, and would otherwise part the two.
   * {@code sleeps} gets the echo thread's voluntary context switches when the measured trips start and end.
   */
  private static long[] blocking(int total, int warmup, int messageBytes, long[] sleeps)
      throws InterruptedException {
    SynchronousQueue<Object> ping = new SynchronousQueue<>();
    SynchronousQueue<Object> pong = new SynchronousQueue<>();
    byte[] message = messageBytes > 0 ? new byte[messageBytes] : null;
    Thread echo = Thread.ofPlatform().name("handoff-echo").daemon().start(() -> {
      long tid = LinuxThreads.currentTid();
      try {
        for (int i = 0; i < total; i++) {
          if (i == warmup) {
            sleeps[0] = voluntarySwitches(tid);
          }
          Object token = ping.take();
          if (token instanceof byte[] bytes) {
            bytes[bytes.length - 1]++;
          }
          pong.put(token);
        }
        sleeps[1] = voluntarySwitches(tid);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    long[] nanos = new long[total];
    for (int i = 0; i < total; i++) {
      long start = System.nanoTime();
      ping.put(message != null && i % 2 == 1 ? message : (Object) (long) i);
      pong.take();
      nanos[i] = System.nanoTime() - start;
    }
    echo.join();
    return nanos;
  }

  /** How often this process's thread {@code tid} gave up its CPU to wait; 0 if /proc cannot say. */
  private static long voluntarySwitches(long tid) {
    return Math.max(0, ContextSwitches.ofThread(ProcessHandle.current().pid(), tid));
  }

  /**
   * Round trips through two volatile counters that each side polls: memory shared by threads, no kernel.
   * {@code sleeps} gets the echo thread's voluntary context switches when the measured trips start and end.
   */
  private static long[] spinning(int total, int warmup, long[] sleeps) throws InterruptedException {
    AtomicLong ping = new AtomicLong();
    AtomicLong pong = new AtomicLong();
    long deadline = System.nanoTime() + SPIN_LIMIT_NANOS;
    Thread echo = Thread.ofPlatform().name("handoff-echo").daemon().start(() -> {
      long tid = LinuxThreads.currentTid();
      for (long i = 1; i <= total; i++) {
        if (i == warmup + 1) {
          sleeps[0] = voluntarySwitches(tid);
        }
        while (ping.get() != i) {
          if (ping.get() < 0) {
            return; // the measuring side gave up
          }
          Thread.onSpinWait();
        }
        pong.set(i);
      }
      sleeps[1] = voluntarySwitches(tid);
    });
    long[] nanos = new long[total];
    try {
      for (long i = 1; i <= total; i++) {
        long start = System.nanoTime();
        ping.set(i);
        while (pong.get() != i) {
          Thread.onSpinWait();
        }
        nanos[(int) i - 1] = System.nanoTime() - start;
        // Bounded: on a machine too busy to run both spinners, stop burning two CPUs and say so.
        if (start > deadline || Thread.currentThread().isInterrupted()) {
          throw new IllegalStateException("the spinning hand-off did " + i + " of " + total + " round trips in "
              + SPIN_LIMIT_NANOS / 1_000_000_000 + " s; the CPUs are too busy for two spinning threads");
        }
      }
    } finally {
      ping.set(-1);
      echo.join();
    }
    return nanos;
  }
}
