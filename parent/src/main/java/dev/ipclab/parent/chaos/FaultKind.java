package dev.ipclab.parent.chaos;

/** The faults {@code ipclab chaos} injects into a running pool, each a real fault of a real worker process. */
public enum FaultKind {
  /** {@code kill -KILL} of a worker, from outside. */
  SIGKILL("sigkill", true),
  /** {@code kill -STOP} of a worker: alive but silent, until the pool declares it hung and kills it. */
  SIGSTOP("sigstop", true),
  /** The worker writes bytes that are not a frame to its channel ({@code chaos.garbage}). */
  GARBAGE("garbage", false),
  /** The worker prints a line straight to its stdout ({@code chaos.stdout}); breaks only the pipe transport. */
  STDOUT("stdout", false),
  /** The worker halts mid-task with an exit status ({@code chaos.exit}). */
  EXIT("exit", true),
  /** The worker's reading thread stops reading for a while ({@code chaos.slow-reader}); it should survive. */
  SLOW_READER("slow-reader", false);

  private final String label;
  private final boolean takesWorkerDown;

  FaultKind(String label, boolean takesWorkerDown) {
    this.label = label;
    this.takesWorkerDown = takesWorkerDown;
  }

  /** The name in the summary and the JSON. */
  public String label() {
    return label;
  }

  /** Whether the worker certainly goes down, so the pool must notice: the faults whose detection is timed. */
  public boolean takesWorkerDown() {
    return takesWorkerDown;
  }
}
