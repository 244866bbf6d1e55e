package dev.ipclab.worker;

/** The worker JVM's entry point as the pool starts it: the runtime with the task modules of its class path. */
public final class WorkerMain {
  private WorkerMain() {}

  public static void main(String[] args) {
    WorkerRuntime.builder().build().runAndExit();
  }
}
