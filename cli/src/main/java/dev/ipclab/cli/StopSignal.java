package dev.ipclab.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns Ctrl-C (SIGINT) or SIGTERM into an orderly stop: the shutdown hook only asks the command to stop, then
 * waits for it to finish shutting its workers down, because the JVM halts as soon as the hook returns.
 */
final class StopSignal implements AutoCloseable {
  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Thread hook;

  StopSignal(Duration maxCleanup) {
    hook = new Thread(() -> {
      stop.countDown();
      try {
        finished.await(maxCleanup.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "ipclab-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Waits up to {@code timeout} for a stop request; true if one came. */
  boolean await(Duration timeout) throws InterruptedException {
    return stop.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  boolean requested() {
    return stop.getCount() == 0;
  }

  /** Cleanup is done: lets a waiting shutdown hook return, or removes the hook if no signal came. */
  @Override
  public void close() {
    finished.countDown();
    if (!requested()) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Shutdown began meanwhile; the hook will find 'finished' counted down.
      }
    }
  }
}
