package dev.ipclab.worker;

import dev.ipclab.transport.protocol.WorkerExitCodes;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/**
 * Ends the worker when its parent is gone, so that no worker outlives its parent, in two layers: end-of-stream on
 * stdin (immediate, even after SIGKILL, since the kernel closes the dead parent's pipe ends) and a poll of the
 * parent's pid (for the case where something else still holds the pipe open).
 */
final class ParentWatch {
  private static final long POLL_MILLIS = 250;

  private ParentWatch() {}

  /**
   * @param watchStdin true when stdin is not the protocol channel (socket transports); with pipes, the protocol
   *     reader sees the end-of-stream itself
   * @param exit completed with {@link WorkerExitCodes#PARENT_GONE} when the parent is gone
   */
  static void start(boolean watchStdin, CompletableFuture<Integer> exit) {
    if (watchStdin) {
      daemon("ipclab-stdin-watch", () -> {
        try {
          while (System.in.read() >= 0) {
            // The parent writes nothing here; anything read is ignored.
          }
          log().warning("stdin reached end of stream: the parent is gone; exiting");
        } catch (IOException e) {
          log().warning(() -> "stdin failed (" + e.getMessage() + "): the parent is gone; exiting");
        }
        exit.complete(WorkerExitCodes.PARENT_GONE);
      });
    }
    Optional<ProcessHandle> parent = ProcessHandle.current().parent();
    long parentPid = parent.map(ProcessHandle::pid).orElse(-1L);
    daemon("ipclab-parent-watch", () -> {
      while (!exit.isDone()) {
        Optional<ProcessHandle> now = ProcessHandle.current().parent();
        if (now.isEmpty() || now.get().pid() != parentPid || !now.get().isAlive()) {
          log().warning(() -> "parent pid " + parentPid + " is gone (now "
              + now.map(p -> "pid " + p.pid()).orElse("none") + "); exiting");
          exit.complete(WorkerExitCodes.PARENT_GONE);
          return;
        }
        try {
          Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    });
  }

  private static void daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
  }

  /** Not a field: creating it at class initialization would start java.util.logging on the way to the hello. */
  private static Logger log() {
    return WorkerLog.logger(ParentWatch.class);
  }
}
