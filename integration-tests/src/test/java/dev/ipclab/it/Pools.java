package dev.ipclab.it;

import dev.ipclab.parent.TaskHandle;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.WorkerPoolBuilder;
import dev.ipclab.transport.TransportKind;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Pools configured for tests: the built worker jar and short timeouts, so failures show in seconds. */
final class Pools {
  static {
    // The test JVM is a parent too: its log lines name it, as the real parent's do.
    dev.ipclab.transport.log.ProcessLog.init("test", java.util.logging.Level.INFO, System.err);
  }

  private Pools() {}

  /** Runs the logging setup above now: it resets every logger, so it must come before a test adds a handler. */
  static void initLogging() {}

  static WorkerPoolBuilder builder(TransportKind transport, int workers) {
    return WorkerPool.builder()
        .workers(workers)
        .transport(transport)
        .workerJar(ParentCli.jar("ipclab.worker.jar"))
        // The demos' task module, as the command line's pools have it; recorded for inspect, like the CLI's.
        .addClassPath(WorkerPoolBuilder.codeSource(dev.ipclab.demos.worker.DemoTasks.class))
        .inspectable(true)
        .closeOnJvmShutdown(true)
        .heartbeat(Duration.ofMillis(200), Duration.ofMillis(1_000))
        .handshakeTimeout(Duration.ofSeconds(10))
        .readyTimeout(Duration.ofSeconds(30))
        .shutdownGrace(Duration.ofSeconds(5));
  }

  /** The exception the task's outcome failed with, as the pool completed it (get() would wrap a cancellation). */
  static Throwable failureOf(TaskHandle h) throws Exception {
    return h.outcome().handle((o, e) -> e).get(10, TimeUnit.SECONDS);
  }

  /** The worker's own count of tasks running now, asked over the protocol. */
  static long tasksInFlight(WorkerPool pool) {
    try {
      return pool.worker(1).status(Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS).getTasksInFlight();
    } catch (Exception e) {
      return -1;
    }
  }
}
