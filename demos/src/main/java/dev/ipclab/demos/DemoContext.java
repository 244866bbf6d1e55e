package dev.ipclab.demos;

import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.WorkerPoolBuilder;
import dev.ipclab.demos.trace.TraceRecorder;
import dev.ipclab.transport.TransportKind;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a demo runs with: the transport the user chose, a way to start worker pools, a progress line, and the
 * resources the demo created (pools, files), which {@link #close()} releases in reverse order. The CLI closes it
 * right after the demo, or when the user stops a {@code --keep} run.
 */
public final class DemoContext implements AutoCloseable {
  private static final Logger log = Logger.getLogger(DemoContext.class.getName());

  private final TransportKind transport;
  private final Supplier<WorkerPoolBuilder> pools;
  private final Consumer<String> progress;
  private final TraceRecorder trace;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();

  /**
   * @param transport the transport for the demo's workers
   * @param pools a fresh pool builder with the caller's defaults (worker jar, timeouts)
   * @param progress receives short progress lines while the demo runs
   * @param trace records the tasks of every pool this context starts, and the spans the demo adds
   */
  public DemoContext(TransportKind transport, Supplier<WorkerPoolBuilder> pools, Consumer<String> progress,
      TraceRecorder trace) {
    this.transport = transport;
    this.pools = pools;
    this.progress = progress;
    this.trace = trace;
  }

  public DemoContext(TransportKind transport, Supplier<WorkerPoolBuilder> pools, Consumer<String> progress) {
    this(transport, pools, progress, new TraceRecorder());
  }

  /** The context the CLI uses: default pools on {@code transport}, recording into {@code trace}. */
  public static DemoContext standard(TransportKind transport, Consumer<String> progress, TraceRecorder trace) {
    return new DemoContext(transport, DemoContext::demoPool, progress, trace);
  }

  /** The context the CLI uses: default pools on {@code transport}. */
  public static DemoContext standard(TransportKind transport, Consumer<String> progress) {
    return standard(transport, progress, new TraceRecorder());
  }

  /**
   * A pool builder whose workers serve the demos' task kinds: the demos' jar on the class path (its task module is
   * listed in META-INF/services), visible to {@code ipclab inspect} and {@code top}, closed on Ctrl-C.
   */
  public static WorkerPoolBuilder demoPool() {
    return WorkerPool.builder()
        .addClassPath(WorkerPoolBuilder.codeSource(dev.ipclab.demos.worker.DemoTasks.class))
        .inspectable(true)
        .closeOnJvmShutdown(true);
  }

  public TransportKind transport() {
    return transport;
  }

  /**
   * Starts {@code workers} workers on this context's transport; {@code customize} may change anything else (JVM
   * flags, a different transport). The pool stays up until the context closes.
   */
  public WorkerPool startPool(int workers, UnaryOperator<WorkerPoolBuilder> customize)
      throws IOException, InterruptedException {
    WorkerPool pool = customize.apply(pools.get().workers(workers).transport(transport)).start();
    trace.attach(pool);
    return track(pool);
  }

  /** The timeline of this context's tasks; a demo may add spans it measured itself. */
  public TraceRecorder trace() {
    return trace;
  }

  /** Starts {@code workers} default workers on this context's transport. */
  public WorkerPool startPool(int workers) throws IOException, InterruptedException {
    return startPool(workers, UnaryOperator.identity());
  }

  /** Closes {@code resource} when the context closes, before anything registered earlier. */
  public synchronized <T extends AutoCloseable> T track(T resource) {
    resources.push(resource);
    return resource;
  }

  /** Reports what the demo is doing now, e.g. "spawning 4 workers". */
  public void progress(String line) {
    progress.accept(line);
  }

  /** Releases every resource, newest first; one that fails to close does not keep the others open. */
  @Override
  public synchronized void close() {
    while (!resources.isEmpty()) {
      AutoCloseable resource = resources.pop();
      try {
        resource.close();
      } catch (Exception e) {
        log.log(Level.WARNING, "could not release " + resource + ": " + e.getMessage(), e);
      }
    }
  }
}
