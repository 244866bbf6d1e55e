package dev.ipclab.demos.worker;

import dev.ipclab.demos.proto.v1.StateRole;
import dev.ipclab.demos.proto.v1.StateThread;
import dev.ipclab.transport.os.LinuxThreads;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One set of threads of the thread-states demo, each in one role: computing, holding a monitor while asleep,
 * blocked on that monitor, sleeping, or blocked in a socket read. Each thread reports its kernel TID before it
 * settles into its role, so the parent can watch it in /proc.
 */
final class StateThreads implements AutoCloseable {
  private static final Logger log = Logger.getLogger(StateThreads.class.getName());
  /** Long enough to outlast any demo run; a stop interrupts it. */
  private static final Duration PARKED = Duration.ofHours(1);

  /** A started thread with what it does and its TID. */
  record Member(Thread thread, StateRole role, long tid) {
    StateThread describe() {
      return StateThread.newBuilder().setTid(tid).setName(thread.getName()).setRole(role).build();
    }
  }

  private final Object monitor = new Object();
  private final List<Member> members = new ArrayList<>();
  private final List<Closeable> sockets = new ArrayList<>();
  private volatile boolean stopCpu;
  private volatile boolean stopAll;
  /** Keeps the JIT from removing the CPU-bound loop as dead code. */
  static volatile long sink;

  /** Starts every thread of the set and returns once each has reported its TID. */
  static StateThreads start(int cpu, int waiters, int sleepers, int readers, long cpuLifeMillis)
      throws IOException, InterruptedException {
    StateThreads set = new StateThreads();
    boolean ok = false;
    try {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(cpuLifeMillis);
      for (int i = 1; i <= cpu; i++) {
        set.add("state-cpu-" + i, StateRole.STATE_ROLE_CPU, () -> set.compute(deadline));
      }
      if (waiters > 0) {
        CountDownLatch held = new CountDownLatch(1);
        set.add("state-holder", StateRole.STATE_ROLE_LOCK_HOLDER, () -> set.hold(held));
        held.await(); // the waiters must find the monitor taken
        for (int i = 1; i <= waiters; i++) {
          set.add("state-blocked-" + i, StateRole.STATE_ROLE_MONITOR_BLOCKED, set::enter);
        }
      }
      for (int i = 1; i <= sleepers; i++) {
        set.add("state-sleep-" + i, StateRole.STATE_ROLE_SLEEPING, set::sleep);
      }
      for (int i = 1; i <= readers; i++) {
        InputStream in = set.connectedPair();
        set.add("state-socket-" + i, StateRole.STATE_ROLE_SOCKET_READ, () -> set.read(in));
      }
      ok = true;
      return set;
    } finally {
      if (!ok) {
        set.close();
      }
    }
  }

  List<Member> members() {
    return List.copyOf(members);
  }

  private void add(String name, StateRole role, Runnable body) throws InterruptedException {
    long[] tid = new long[1];
    CountDownLatch known = new CountDownLatch(1);
    Thread t = Thread.ofPlatform().name(name).daemon().start(() -> {
      tid[0] = LinuxThreads.currentTid();
      known.countDown();
      body.run();
    });
    known.await();
    members.add(new Member(t, role, tid[0]));
  }

  /** Pure computation: never blocks, so the thread is always either on a CPU or in the run queue. */
  private void compute(long deadline) {
    long x = Thread.currentThread().threadId() | 1;
    while (!stopCpu && !stopAll && System.nanoTime() < deadline) {
      for (int i = 0; i < 200_000; i++) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
      }
      sink = x;
    }
  }

  private void hold(CountDownLatch held) {
    synchronized (monitor) {
      held.countDown();
      sleepUntilStopped();
    }
  }

  private void enter() {
    synchronized (monitor) {
      sink++; // entered only after the holder let go
    }
  }

  private void sleep() {
    sleepUntilStopped();
  }

  private void sleepUntilStopped() {
    while (!stopAll) {
      try {
        Thread.sleep(PARKED);
      } catch (InterruptedException e) {
        // a stop interrupts: the loop checks why
      }
    }
  }

  /** A connected loopback socket pair; the accepted end's input is returned, the other end never writes. */
  private InputStream connectedPair() throws IOException {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
      sockets.add(client);
      Socket accepted = server.accept();
      sockets.add(accepted);
      return accepted.getInputStream();
    }
  }

  private void read(InputStream in) {
    try {
      int b = in.read(); // blocks in the kernel: nobody writes
      log.fine(() -> Thread.currentThread().getName() + " read " + b);
    } catch (IOException e) {
      // the stop closed the socket
    }
  }

  /** Stops the CPU-bound threads, or all; returns how many of them are still alive after {@code wait}. */
  int stop(boolean cpuOnly, Duration wait) throws InterruptedException {
    stopCpu = true;
    if (!cpuOnly) {
      stopAll = true;
      for (Closeable s : sockets) {
        try {
          s.close();
        } catch (IOException e) {
          log.fine(() -> "closing a socket of the set: " + e.getMessage());
        }
      }
    }
    long deadline = System.nanoTime() + wait.toNanos();
    int alive = 0;
    for (Member m : members) {
      if (cpuOnly && m.role() != StateRole.STATE_ROLE_CPU) {
        continue;
      }
      if (!cpuOnly) {
        m.thread().interrupt();
      }
      long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
      if (!m.thread().join(Duration.ofMillis(left))) {
        alive++;
      }
    }
    return alive;
  }

  @Override
  public void close() throws InterruptedException {
    int alive = stop(false, Duration.ofSeconds(5));
    if (alive > 0) {
      log.warning(alive + " threads of the thread-states set did not end within 5 s of their stop");
    }
  }
}
