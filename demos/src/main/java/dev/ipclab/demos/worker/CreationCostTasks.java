package dev.ipclab.demos.worker;

import dev.ipclab.demos.proto.v1.DurationSamples;
import dev.ipclab.demos.proto.v1.Handoff;
import dev.ipclab.demos.proto.v1.HandoffMode;
import dev.ipclab.demos.proto.v1.SpawnThreads;
import dev.ipclab.demos.proto.v1.ThreadKind;
import dev.ipclab.worker.TaskHandler;
import dev.ipclab.worker.WorkerContext;
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
    Runnable empty = () -> { };
    DurationSamples.Builder samples = DurationSamples.newBuilder();
    for (int i = 0; i < request.getWarmup() + request.getCount(); i++) {
      long start = System.nanoTime();
      Thread t = builder.start(empty);
      t.join();
      long took = System.nanoTime() - start;
      if (i >= request.getWarmup()) {
        samples.addNanos(took);
      }
    }
    return samples.build();
  }

  static DurationSamples handoff(Handoff request) throws InterruptedException {
    int total = request.getWarmup() + request.getCount();
    long[] nanos = request.getMode() == HandoffMode.HANDOFF_MODE_BLOCKING ? blocking(total) : spinning(total);
    DurationSamples.Builder samples = DurationSamples.newBuilder();
    for (int i = request.getWarmup(); i < total; i++) {
      samples.addNanos(nanos[i]);
    }
    return samples.build();
  }

  /** Round trips through two SynchronousQueues: each put wakes a parked thread. */
  private static long[] blocking(int total) throws InterruptedException {
    SynchronousQueue<Long> ping = new SynchronousQueue<>();
    SynchronousQueue<Long> pong = new SynchronousQueue<>();
    Thread echo = Thread.ofPlatform().name("handoff-echo").daemon().start(() -> {
      try {
        for (int i = 0; i < total; i++) {
          pong.put(ping.take());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    long[] nanos = new long[total];
    for (int i = 0; i < total; i++) {
      long start = System.nanoTime();
      ping.put((long) i);
      pong.take();
      nanos[i] = System.nanoTime() - start;
    }
    echo.join();
    return nanos;
  }

  /** Round trips through two volatile counters that each side polls: memory shared by threads, no kernel. */
  private static long[] spinning(int total) throws InterruptedException {
    AtomicLong ping = new AtomicLong();
    AtomicLong pong = new AtomicLong();
    long deadline = System.nanoTime() + SPIN_LIMIT_NANOS;
    Thread echo = Thread.ofPlatform().name("handoff-echo").daemon().start(() -> {
      for (long i = 1; i <= total; i++) {
        while (ping.get() != i) {
          if (ping.get() < 0) {
            return; // the measuring side gave up
          }
          Thread.onSpinWait();
        }
        pong.set(i);
      }
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
