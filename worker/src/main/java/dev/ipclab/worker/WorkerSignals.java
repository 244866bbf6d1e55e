package dev.ipclab.worker;

import java.util.logging.Logger;

/** Keeps Ctrl-C in a terminal from killing workers behind their parent's back. */
final class WorkerSignals {

  private WorkerSignals() {}

  /**
   * Ignores SIGINT. A terminal sends Ctrl-C to the whole foreground process group, workers included; the parent
   * then shuts them down in order, and a worker that died on the signal first would look like a crash. The
   * worker still stops on SIGTERM, on stdin end-of-stream and when its parent exits.
   */
  @SuppressWarnings("removal")
  static void ignoreInterrupt() {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("INT"), sun.misc.SignalHandler.SIG_IGN);
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      log().fine(() -> "cannot ignore SIGINT here: " + e);
    }
  }

  /** Not a field: creating it at class initialization would start java.util.logging on the way to the hello. */
  private static Logger log() {
    return WorkerLog.logger(WorkerSignals.class);
  }
}
