package dev.ipclab.cli.chaos;

import dev.ipclab.transport.TransportKind;
import java.time.Duration;

/**
 * What one chaos run does.
 *
 * @param duration how long tasks are submitted and faults injected
 * @param seed seeds every random choice: the faults, their times, their targets, the tasks
 * @param workers worker processes in the pool
 * @param transport how the pool reaches its workers
 * @param tasksPerSecond the rate tasks are submitted at
 * @param faultInterval the mean time between two faults (each gap is drawn from 0.5x to 1.5x of it)
 * @param heartbeat the workers' heartbeat interval; the pool declares a worker hung after 5 silent intervals
 * @param heapBoundBytes the parent's heap must stay within this
 * @param leakBytes a fault in the parent itself, for testing the heap invariant: this many bytes are kept
 *     reachable from the start of the run until its heap is measured, as a leak would; normally 0
 */
public record ChaosSettings(Duration duration, long seed, int workers, TransportKind transport,
    double tasksPerSecond, Duration faultInterval, Duration heartbeat, long heapBoundBytes, long leakBytes) {

  /** Silence after which a worker is hung: five heartbeat intervals, as for the other commands. */
  public Duration heartbeatTimeout() {
    return heartbeat.multipliedBy(5);
  }
}
