package dev.ipclab.worker;

/**
 * Ways to break a worker's channel on purpose, for fault-injection harnesses; see {@link WorkerContext#faultHooks()}.
 */
public interface FaultHooks {

  /** Writes bytes to the channel to the parent outside the framing, as a corrupted worker would. */
  void writeRaw(byte[] bytes);

  /** Makes the thread that reads the channel pause {@code millis} before it handles the next frame. */
  void pauseReading(long millis);
}
