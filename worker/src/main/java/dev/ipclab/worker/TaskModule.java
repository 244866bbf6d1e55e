package dev.ipclab.worker;

/**
 * A group of task kinds with a lifecycle: the unit a user adds to a worker.
 *
 * <p>A worker finds its modules on its class path through {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/dev.ipclab.worker.TaskModule}), or is handed them by a {@code main} of the user's own
 * through {@link WorkerRuntime#builder()}. Each worker process makes one instance of each module, calls
 * {@link #start} once before it says hello to the parent, and {@link #close} once when it shuts down in order. State
 * that lives as long as the process (a cache, a connection, a thread pool) belongs in the instance, not in static
 * fields.
 *
 * <pre>{@code
 * public final class ImageTasks implements TaskModule {
 *   private ExecutorService encoders;
 *
 *   public void start(WorkerContext context) {
 *     encoders = Executors.newFixedThreadPool(2);
 *     context.register("thumbnail", ThumbnailRequest.parser(), this::thumbnail);
 *   }
 *
 *   public void close() {
 *     encoders.shutdownNow();
 *   }
 * }
 * }</pre>
 */
public interface TaskModule extends AutoCloseable {

  /** Registers this module's task kinds and sets up its state; a thrown exception stops the worker before hello. */
  void start(WorkerContext context) throws Exception;

  /** Releases what {@link #start} set up; called once, on the worker's orderly shutdown. */
  @Override
  default void close() throws Exception {}
}
