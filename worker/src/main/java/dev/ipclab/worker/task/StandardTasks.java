package dev.ipclab.worker.task;

/** The registry every worker starts with: the built-in kinds and the demos' kinds. */
public final class StandardTasks {
  private StandardTasks() {}

  public static TaskRegistry registry() {
    TaskRegistry registry = new TaskRegistry();
    BuiltInTasks.register(registry);
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
