package dev.ipclab.worker.task;

/** The registry every worker starts with: the built-in kinds, the chaos kinds and the demos' kinds. */
public final class StandardTasks {
  private StandardTasks() {}

  /** The registry without a session: the chaos kinds that need the channel fail with a reason. */
  public static TaskRegistry registry() {
    return registry(ChaosTasks.Session.NONE);
  }

  /** The registry of a worker whose session lets the chaos kinds reach its channel and reading thread. */
  public static TaskRegistry registry(ChaosTasks.Session session) {
    TaskRegistry registry = new TaskRegistry();
    BuiltInTasks.register(registry);
    ChaosTasks.register(registry, session);
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
