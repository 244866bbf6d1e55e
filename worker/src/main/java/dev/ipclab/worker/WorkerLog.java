package dev.ipclab.worker;

import dev.ipclab.transport.log.ProcessLog;
import java.io.PrintStream;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sets up the worker's java.util.logging on a thread of its own, so that its start (the LogManager, its properties
 * file and the class path scan for a {@code System.LoggerFinder}, about 20 ms) runs beside the connect and the
 * task modules instead of before them. The worker's own classes get their loggers here, after the setup.
 */
final class WorkerLog {
  /** Completes once every record goes to stderr in ProcessLog's format; done at once in a process that never set up. */
  private static volatile CompletableFuture<Void> ready = CompletableFuture.completedFuture(null);

  private WorkerLog() {}

  /** Starts the setup; records logged before it ends wait for it rather than go out in the JDK's default format. */
  static void startSetup(String processName, Level level, PrintStream stderr) {
    CompletableFuture<Void> setup = new CompletableFuture<>();
    ready = setup;
    Thread thread = new Thread(() -> {
      try {
        ProcessLog.init(processName, level, stderr);
        setup.complete(null);
      } catch (Throwable e) {
        setup.completeExceptionally(e);
      }
    }, "ipclab-log-setup");
    thread.setDaemon(true);
    thread.start();
  }

  /** The named logger, once the setup is done (a failed setup leaves the JDK's default: stderr all the same). */
  static Logger logger(Class<?> owner) {
    try {
      ready.join();
    } catch (RuntimeException e) {
      // The JDK's default configuration logs to stderr too; nothing is lost but the line format.
    }
    return Logger.getLogger(owner.getName());
  }
}
