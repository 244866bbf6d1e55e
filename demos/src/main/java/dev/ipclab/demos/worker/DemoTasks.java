package dev.ipclab.demos.worker;

import dev.ipclab.demos.worker.asyncio.AsyncIoTasks;
import dev.ipclab.worker.TaskModule;
import dev.ipclab.worker.WorkerContext;

/**
 * The worker side of the seven demos as one task module: found by the worker on its class path through
 * {@code META-INF/services/dev.ipclab.worker.TaskModule}, like any user's module.
 */
public final class DemoTasks implements TaskModule {

  @Override
  public void start(WorkerContext context) {
    AddressSpaceTasks.register(context);
    ThreadsShareTasks.register(context);
    CreationCostTasks.register(context);
    ParallelismTasks.register(context);
    AsyncIoTasks.register(context);
    ThreadStatesTasks.register(context);
    CoroutinesTasks.register(context);
    WebServerTasks.register(context);
  }
}
