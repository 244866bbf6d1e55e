package dev.ipclab.parent;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Creates a pool's worker processes: the one way a pool gets a worker, so the pool's parts can run against fake
 * workers in tests (Bazel's {@code WorkerFactory}). {@link WorkerLauncher#factory} makes the real one.
 */
@FunctionalInterface
interface WorkerFactory {

  /**
   * Starts worker {@code id}: fork and exec only, the handshake completes {@link WorkerProcess#ready()} later,
   * judged by {@code registry}. Its output goes to {@code logFile}.
   */
  WorkerProcess create(int id, Path logFile, WorkerRegistry registry) throws IOException;
}
