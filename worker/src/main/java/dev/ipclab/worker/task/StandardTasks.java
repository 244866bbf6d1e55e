package dev.ipclab.worker.task;

/** The registry a worker starts with: the built-in kinds and the demos' kinds, plus the chaos kinds for chaos runs. */
public final class StandardTasks {
  private StandardTasks() {}

  /** The registry of an ordinary worker: no chaos kinds. */
  public static TaskRegistry registry() {
    return registry(null);
  }

  /**
   * The registry of a worker of {@code ipclab chaos}: with the chaos kinds, which reach the channel and the reading
   * thread through {@code session}; null leaves them out.
   */
  public static TaskRegistry registry(ChaosTasks.Session session) {
    TaskRegistry registry = new TaskRegistry();
    BuiltInTasks.register(registry);
    if (session != null) {
      ChaosTasks.register(registry, session);
    }
    dev.ipclab.worker.demo.AddressSpaceTasks.register(registry);
    dev.ipclab.worker.demo.ThreadsShareTasks.register(registry);
    dev.ipclab.worker.demo.CreationCostTasks.register(registry);
    dev.ipclab.worker.demo.ParallelismTasks.register(registry);
    dev.ipclab.worker.demo.asyncio.AsyncIoTasks.register(registry);
    dev.ipclab.worker.demo.ThreadStatesTasks.register(registry);
    dev.ipclab.worker.demo.CoroutinesTasks.register(registry);
    return registry;
  }
}
