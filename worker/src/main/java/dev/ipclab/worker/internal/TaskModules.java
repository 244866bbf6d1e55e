package dev.ipclab.worker.internal;

import dev.ipclab.worker.FaultHooks;
import dev.ipclab.worker.TaskHandler;
import dev.ipclab.worker.TaskModule;
import dev.ipclab.worker.WorkerContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/** One worker's task modules, started together into one registry and closed together in reverse order. */
public final class TaskModules implements AutoCloseable {
  private static final Logger log = Logger.getLogger(TaskModules.class.getName());

  private final TaskRegistry registry = new TaskRegistry();
  private final List<TaskModule> started = new ArrayList<>();

  private TaskModules() {}

  /**
   * Starts each module in order with a context that registers into one registry.
   *
   * @param faultHooks the hooks of a worker started for fault injection, or null for an ordinary worker
   * @throws IllegalStateException naming the module whose start failed; the ones already started are closed
   */
  public static TaskModules start(List<? extends TaskModule> modules, int workerId, FaultHooks faultHooks) {
    TaskModules all = new TaskModules();
    WorkerContext context = new WorkerContext() {
      @Override
      public int workerId() {
        return workerId;
      }

      @Override
      public WorkerContext register(String kind, TaskHandler handler) {
        all.registry.register(kind, handler);
        return this;
      }

      @Override
      public Optional<FaultHooks> faultHooks() {
        return Optional.ofNullable(faultHooks);
      }
    };
    for (TaskModule module : modules) {
      try {
        module.start(context);
      } catch (Exception | LinkageError e) {
        all.close();
        throw new IllegalStateException("task module " + module.getClass().getName() + " failed to start: " + e
            + ". The worker cannot serve without it; fix the module or take its jar off the worker's class path.",
            e);
      }
      all.started.add(module);
    }
    return all;
  }

  /** Every kind the started modules registered. */
  public TaskRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      TaskModule module = started.get(i);
      try {
        module.close();
      } catch (Exception e) {
        log.log(Level.WARNING, "task module " + module.getClass().getName() + " failed to close", e);
      }
    }
    started.clear();
  }
}
