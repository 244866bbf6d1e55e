package dev.ipclab.demos.worker;

import dev.ipclab.demos.os.ContextSwitches;
import dev.ipclab.demos.proto.v1.CoroutineStep;
import dev.ipclab.demos.proto.v1.CrowdJoin;
import dev.ipclab.demos.proto.v1.CrowdJoined;
import dev.ipclab.demos.proto.v1.CrowdStart;
import dev.ipclab.demos.proto.v1.CrowdStarted;
import dev.ipclab.demos.proto.v1.GeneratorAction;
import dev.ipclab.demos.proto.v1.GeneratorEvent;
import dev.ipclab.demos.proto.v1.GeneratorRun;
import dev.ipclab.demos.proto.v1.GeneratorTrace;
import dev.ipclab.demos.proto.v1.InterleaveRun;
import dev.ipclab.demos.proto.v1.InterleaveTrace;
import dev.ipclab.transport.os.LinuxThreads;
import dev.ipclab.worker.TaskHandler;
import dev.ipclab.worker.WorkerContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tasks of the coroutines demo: virtual threads that yield to each other on one carrier, a generator made of two
 * virtual threads, and crowds of sleeping virtual or platform threads whose cost is measured.
 */
public final class CoroutinesTasks {
  private static ThreadCrowd crowd;

  private CoroutinesTasks() {}

  public static void register(WorkerContext registry) {
    registry.register("coroutines.interleave", TaskHandler.typed(InterleaveRun.parser(), CoroutinesTasks::interleave));
    registry.register("coroutines.generator", TaskHandler.typed(GeneratorRun.parser(), CoroutinesTasks::generator));
    registry.register("coroutines.crowd-start", TaskHandler.typed(CrowdStart.parser(), CoroutinesTasks::crowdStart));
    registry.register("coroutines.crowd-join", TaskHandler.typed(CrowdJoin.parser(), r -> crowdJoin()));
  }

  static InterleaveTrace interleave(InterleaveRun request) throws InterruptedException {
    int k = request.getCoroutines();
    int steps = request.getSteps();
    if (k < 1 || k > 26 || steps < 1) {
      throw new IllegalArgumentException("expected 1 to 26 coroutines and 1 or more steps, got " + k + " and "
          + steps);
    }
    Queue<CoroutineStep> trace = new ConcurrentLinkedQueue<>();
    List<Thread> coroutines = new ArrayList<>();
    // A virtual thread starts the others, so none runs before all are queued: the carrier is busy with the
    // starter until it ends, and then takes them in the order they were queued.
    Thread starter = Thread.ofVirtual().name("starter").start(() -> {
      for (int i = 0; i < k; i++) {
        String name = String.valueOf((char) ('A' + i));
        coroutines.add(Thread.ofVirtual().name(name).start(() -> {
          for (int s = 1; s <= steps; s++) {
            trace.add(CoroutineStep.newBuilder().setName(name).setStep(s)
                .setCarrierTid(LinuxThreads.currentTid()).setNanos(System.nanoTime()).build());
            Thread.yield(); // gives the carrier to the next runnable virtual thread
          }
        }));
      }
    });
    starter.join(); // happens-before: the list is complete when read below
    for (Thread t : coroutines) {
      t.join();
    }
    Set<Long> carriers = ConcurrentHashMap.newKeySet();
    untracedTurns(k, WARM_TURNS, carriers); // warm-up: compiles the yield path
    long switches = (long) k * WARM_TURNS;
    // Whether a switch goes through the kernel: the carrier's own count of the times it slept, over the runs.
    long pid = ProcessHandle.current().pid();
    long carrier = trace.isEmpty() ? -1 : trace.peek().getCarrierTid();
    long sleptBefore = ContextSwitches.ofThread(pid, carrier);
    carriers.clear();
    // The fastest of a few runs: on a busy machine the others include time this process was not on a CPU at all.
    long fastest = Long.MAX_VALUE;
    for (int run = 0; run < TIMED_RUNS; run++) {
      fastest = Math.min(fastest, untracedTurns(k, WARM_TURNS, carriers));
    }
    long sleptAfter = ContextSwitches.ofThread(pid, carrier);
    boolean oneCarrier = carriers.equals(Set.of(carrier));
    double perSwitch = (double) fastest / switches;
    return InterleaveTrace.newBuilder().addAllSteps(trace).setTaskTid(LinuxThreads.currentTid())
        .setWarmSwitchNanos(perSwitch).setWarmSwitches(switches)
        .setCarrierSleeps(oneCarrier && sleptBefore >= 0 && sleptAfter >= 0 ? sleptAfter - sleptBefore : -1)
        .setTimedSwitches(switches * TIMED_RUNS).build();
  }

  /** Turns per virtual thread in the untraced timing of a switch. */
  static final int WARM_TURNS = 1_000;
  /** Untraced runs, of which the fastest times a switch. */
  static final int TIMED_RUNS = 5;

  /**
   * {@code k} virtual threads yield {@code turns} times each with nothing else to do; returns the nanoseconds.
   * {@code carriers} gets the carrier TIDs they ran on.
   */
  private static long untracedTurns(int k, int turns, Set<Long> carriers) throws InterruptedException {
    List<Thread> all = new ArrayList<>();
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    for (int i = 0; i < k; i++) {
      all.add(Thread.ofVirtual().start(() -> {
        carriers.add(LinuxThreads.currentTid()); // once per thread, not per turn
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        for (int s = 0; s < turns; s++) {
          Thread.yield();
        }
      }));
    }
    long start = System.nanoTime();
    go.countDown();
    for (Thread t : all) {
      t.join();
    }
    return System.nanoTime() - start;
  }

  static GeneratorTrace generator(GeneratorRun request) throws InterruptedException {
    int count = request.getCount();
    if (count < 1 || count > 90) {
      throw new IllegalArgumentException("expected 1 to 90 values, got " + count);
    }
    Queue<GeneratorEvent> events = new ConcurrentLinkedQueue<>();
    SynchronousQueue<Integer> asks = new SynchronousQueue<>();
    SynchronousQueue<Long> values = new SynchronousQueue<>();
    AtomicInteger produced = new AtomicInteger();
    List<Long> received = new ArrayList<>();
    // The producer's loop has no end: it computes the next value only when an ask reaches it.
    Thread producer = Thread.ofVirtual().name("producer").start(() -> {
      long a = 1;
      long b = 1;
      try {
        while (true) {
          int index = asks.take();
          long value = a;
          long next = a + b;
          a = b;
          b = next;
          produced.incrementAndGet();
          events.add(event(GeneratorAction.GENERATOR_ACTION_PRODUCE, index, value));
          values.put(value);
        }
      } catch (InterruptedException e) {
        // the consumer is done: the generator is dropped
      }
    });
    Thread consumer = Thread.ofVirtual().name("consumer").start(() -> {
      try {
        for (int i = 1; i <= count; i++) {
          events.add(event(GeneratorAction.GENERATOR_ACTION_ASK, i, 0));
          asks.put(i);
          long value = values.take();
          events.add(event(GeneratorAction.GENERATOR_ACTION_RECEIVE, i, value));
          received.add(value);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    consumer.join();
    producer.interrupt();
    producer.join();
    return GeneratorTrace.newBuilder().addAllEvents(events).addAllReceived(received)
        .setProduced(produced.get()).build();
  }

  private static GeneratorEvent event(GeneratorAction action, int index, long value) {
    return GeneratorEvent.newBuilder().setAction(action).setIndex(index).setValue(value)
        .setCarrierTid(LinuxThreads.currentTid()).build();
  }

  static CrowdStarted crowdStart(CrowdStart request) throws Exception {
    synchronized (CoroutinesTasks.class) {
      if (crowd != null) {
        crowd.join();
        crowd = null;
      }
    }
    ThreadCrowd started = new ThreadCrowd(request);
    synchronized (CoroutinesTasks.class) {
      crowd = started;
    }
    return started.start();
  }

  static synchronized CrowdJoined crowdJoin() throws InterruptedException {
    if (crowd == null) {
      throw new IllegalStateException("no crowd in this worker: run coroutines.crowd-start first");
    }
    CrowdJoined joined = crowd.join();
    crowd = null;
    return joined;
  }
}
