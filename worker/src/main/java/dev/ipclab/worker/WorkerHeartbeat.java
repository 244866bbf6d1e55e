package dev.ipclab.worker;

import dev.ipclab.proto.v1.Heartbeat;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.Transport;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/** Sends the worker's heartbeats and notices when the parent has gone quiet. */
final class WorkerHeartbeat {
  private static final Logger log = Logger.getLogger(WorkerHeartbeat.class.getName());

  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private final Transport<ParentEnvelope, WorkerEnvelope> transport;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "ipclab-heartbeat");
    t.setDaemon(true);
    return t;
  });
  /** Touched only by the timer thread (the executor's hand-off publishes the first value). */
  private long lastHeardNanos = System.nanoTime();
  /**
   * Set by the reading thread for every frame, turned into a time by the next beat: reading the clock per frame
   * was 12% of the worker's CPU on a stream of one-way pings (perf), and silence is judged in whole beats anyway.
   */
  private volatile boolean heardSinceBeat;
  private long sequence;
  private boolean warned;

  WorkerHeartbeat(Transport<ParentEnvelope, WorkerEnvelope> transport) {
    this.transport = transport;
  }

  /**
   * Notes that a frame arrived from the parent; cheap enough for every frame (no clock, no store once set). The
   * frame counts as heard at the next beat, so silence is measured up to one beat late: a timeout shorter than the
   * interval is noticed a beat later than it would be.
   */
  void heard() {
    if (!heardSinceBeat) {
      heardSinceBeat = true;
    }
  }

  // Synchronized with stop(): a welcome that arrives after a shutdown (found by WorkerSessionFuzzTest) must find
  // the timer stopped and do nothing, not throw RejectedExecutionException on the reading thread.
  synchronized void start(long intervalMs, long timeoutMs) {
    if (intervalMs <= 0 || timer.isShutdown()) {
      return;
    }
    timer.scheduleAtFixedRate(() -> beat(timeoutMs), intervalMs, intervalMs, TimeUnit.MILLISECONDS);
  }

  private void beat(long timeoutMs) {
    try {
      transport.offer(WorkerEnvelope.newBuilder()
          .setHeartbeat(Heartbeat.newBuilder()
              .setSequence(++sequence)
              .setSendNanos(System.nanoTime())
              .setThreadCount(THREADS.getThreadCount()))
          .build());
    } catch (RuntimeException e) {
      log.fine(() -> "heartbeat not sent: " + e);
    }
    long now = System.nanoTime();
    if (heardSinceBeat) {
      heardSinceBeat = false;
      lastHeardNanos = now; // heard within the last interval: silence is counted from this beat on
    }
    long silentMs = TimeUnit.NANOSECONDS.toMillis(now - lastHeardNanos);
    if (timeoutMs > 0 && silentMs > timeoutMs && !warned) {
      warned = true;
      log.warning(() -> "nothing from the parent for " + silentMs + " ms (timeout " + timeoutMs
          + " ms); it may be stopped or overloaded");
    } else if (silentMs <= timeoutMs) {
      warned = false;
    }
  }

  synchronized void stop() {
    timer.shutdownNow();
  }
}
