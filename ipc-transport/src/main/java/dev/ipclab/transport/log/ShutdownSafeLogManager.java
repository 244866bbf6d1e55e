package dev.ipclab.transport.log;

import java.util.logging.LogManager;

/**
 * A LogManager that keeps logging through JVM shutdown. The stock one resets itself in its own shutdown hook,
 * which races ours: the last state transitions of a Ctrl-C'd parent, the most interesting lines, were lost.
 * Selected with {@code -Djava.util.logging.manager=dev.ipclab.transport.log.ShutdownSafeLogManager}, or by
 * {@link ProcessLog#useShutdownSafeManager()} first thing in main.
 */
public final class ShutdownSafeLogManager extends LogManager {

  @Override
  public void reset() {
    // The JDK's hook runs in a thread of class LogManager$Cleaner; every other caller gets a real reset.
    if (Thread.currentThread().getClass().getName().startsWith(LogManager.class.getName() + "$")) {
      return;
    }
    super.reset();
  }
}
