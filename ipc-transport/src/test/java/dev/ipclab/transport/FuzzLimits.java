package dev.ipclab.transport;

import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The bounds every Jazzer fuzz target checks around one input: it returns within a time limit (a hang is a finding,
 * also in regression runs, where Jazzer sets no timeout), and the heap its thread allocated meanwhile is measured,
 * so an allocation sized by an announced length shows even when the heap happens to have room for it.
 *
 * <p>Loading and instrumenting a class allocates megabytes on the loading thread; an input whose run loaded a class
 * is run again (its target is rebuilt from the input each time) and the quiet run is the one measured.
 */
public final class FuzzLimits {
  /**
   * How long an input may run without loading a class: far above any one input's time (microseconds), far below a
   * hung build. Loading counts as progress: the first inputs of a fuzzing run load and instrument hundreds of
   * classes (protobuf's among them), which took over 60 s on two CPUs shared with other builds.
   */
  public static final Duration PER_INPUT = Duration.ofSeconds(30);

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final ClassLoadingMXBean CLASSES = ManagementFactory.getClassLoadingMXBean();
  private static final int MAX_RUNS = 3;
  private static ExecutorService runner = newRunner();

  private FuzzLimits() {}

  /** What one input's run returned and the bytes its thread allocated. */
  public record Measured<T>(T value, long allocatedBytes) {}

  /**
   * Runs {@code body} on the reused fuzz thread and waits at most {@link #PER_INPUT}; its exceptions are rethrown
   * as they are, so Jazzer sees the real finding.
   */
  public static synchronized <T> Measured<T> run(Callable<T> body) throws Exception {
    Future<Measured<T>> future = runner.submit(() -> {
      Measured<T> measured;
      int runs = 0;
      long loaded;
      do {
        loaded = CLASSES.getTotalLoadedClassCount();
        long before = THREADS.getCurrentThreadAllocatedBytes();
        T value = body.call();
        measured = new Measured<>(value, THREADS.getCurrentThreadAllocatedBytes() - before);
      } while (++runs < MAX_RUNS && CLASSES.getTotalLoadedClassCount() != loaded);
      return measured;
    });
    try {
      while (true) {
        long loaded = CLASSES.getTotalLoadedClassCount();
        try {
          return future.get(PER_INPUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          if (CLASSES.getTotalLoadedClassCount() == loaded) {
            future.cancel(true);
            runner.shutdownNow();
            runner = newRunner(); // the hung thread may never return; the next input gets a fresh one
            throw new AssertionError("hang: one input ran for " + PER_INPUT.toSeconds() + " s without loading a"
                + " class");
          }
        }
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  private static ExecutorService newRunner() {
    return Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fuzz-input");
      t.setDaemon(true);
      return t;
    });
  }
}
