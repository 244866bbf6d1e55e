package dev.ipclab.cli.chaos;

import dev.ipclab.transport.TransportKind;

/** The faults {@code ipclab chaos} injects into a running pool, each a real fault of a real worker process. */
public enum FaultKind {
  /** {@code kill -KILL} of a worker, from outside. */
  SIGKILL("sigkill", true),
  /** {@code kill -STOP} of a worker: alive but silent, until the pool declares it hung and kills it. */
  SIGSTOP("sigstop", true),
  /** The worker writes bytes that are not a frame to its channel ({@code chaos.garbage}). */
  GARBAGE("garbage", false),
  /**
   * The worker prints a line straight to its stdout ({@code chaos.stdout}); breaks only the pipe transport: on tcp
   * and uds fd 1 is the worker's log, on shm it is the doorbell, whose bytes only wake the parent's reader.
   */
  STDOUT("stdout", false),
  /** The worker halts mid-task with an exit status ({@code chaos.exit}). */
  EXIT("exit", true),
  /** The worker's reading thread stops reading for a while ({@code chaos.slow-reader}); it should survive. */
  SLOW_READER("slow-reader", false);

  private final String label;
  private final boolean timed;

  /** @param timed whether its detection counts towards the largest detection latency (kill, stop, exit) */
  FaultKind(String label, boolean timed) {
    this.label = label;
    this.timed = timed;
  }

  /** The name in the summary and the JSON. */
  public String label() {
    return label;
  }

  /** Whether its detection counts towards the largest detection latency: a kill, a stop or an exit. */
  public boolean timed() {
    return timed;
  }

  /** Whether the worker certainly goes down on this transport, so the pool must notice. */
  public boolean takesWorkerDown(TransportKind transport) {
    return switch (this) {
      case SIGKILL, SIGSTOP, EXIT, GARBAGE -> true;
      case STDOUT -> transport == TransportKind.PIPE; // on sockets stdout is the log, on shm a doorbell
      case SLOW_READER -> false;
    };
  }
}
