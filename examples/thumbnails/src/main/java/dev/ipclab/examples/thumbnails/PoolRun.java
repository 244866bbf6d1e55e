package dev.ipclab.examples.thumbnails;

import dev.ipclab.examples.thumbnails.worker.ThumbnailRequest;
import dev.ipclab.examples.thumbnails.worker.ThumbnailResult;
import dev.ipclab.examples.thumbnails.worker.ThumbnailTasks;
import dev.ipclab.parent.TaskHandle;
import dev.ipclab.parent.TaskOutcome;
import dev.ipclab.parent.TaskSpec;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.WorkerPoolBuilder;
import dev.ipclab.parent.PoolWorker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;

/** One timed pass of the inputs through a fresh pool of worker JVMs, and what came of each input. */
final class PoolRun {
  /** Counted from submission, time in the queue included: the whole batch must fit in it. */
  private static final Duration TASK_DEADLINE = Duration.ofMinutes(10);

  /**
   * What one pool did.
   *
   * @param startup from the call to start() until every worker had finished its handshake
   * @param spawnToReady each first worker's time from spawn to finished handshake
   * @param elapsed from the first submit until every input had its outcome, the crashing one included
   * @param thumbnails the thumbnails made, by input
   * @param failures the message of each input that failed, by input
   * @param perWorker how many thumbnails each worker id made
   */
  record Result(int workers, Duration startup, List<Duration> spawnToReady, Duration elapsed,
      Map<Path, ThumbnailResult> thumbnails, Map<Path, String> failures, Map<Integer, Integer> perWorker) {}

  private PoolRun() {}

  /**
   * Starts a pool of {@code workers} workers, submits every input in order, and waits until each has its
   * outcome. The caller puts the crashing input in the middle, so that it kills workers while other inputs wait
   * in the queue (one worker) or run on the other workers (several).
   */
  static Result run(int workers, List<Path> inputs, Path outDir, int maxSide)
      throws IOException, InterruptedException {
    Files.createDirectories(outDir);
    long begin = System.nanoTime();
    try (WorkerPool pool = WorkerPool.builder()
        .workers(workers)
        // The workers get this JVM's class path: ipclab's worker runtime, and ThumbnailTasks, which
        // META-INF/services lists. (The worker jar's AOT cache cannot serve it: see docs/library.md.)
        .classPath(WorkerPoolBuilder.classPathOfThisJvm())
        // Without the kind on that class path the start fails at once, naming it, instead of every task later.
        .requireKinds(ThumbnailTasks.KIND)
        // One image at a time per worker: one core each, and one decoded image in a worker's 256 MB heap.
        .maxInFlightPerWorker(1)
        // A task whose worker dies is sent again once, to another worker; an input that kills two is given up.
        .maxAttempts(2)
        // Ctrl-C still removes the pool's run directory with the worker logs.
        .closeOnJvmShutdown(true)
        // These workers start without the AOT cache (see docs/library.md), about twice the CPU; on a machine
        // busy with other work the default 10 s for a worker's hello has passed before it said it.
        .handshakeTimeout(Duration.ofSeconds(60))
        .readyTimeout(Duration.ofSeconds(90))
        .start()) {
      Duration startup = Duration.ofNanos(System.nanoTime() - begin);
      List<Duration> spawnToReady = pool.workers().stream().map(PoolWorker::spawnToReady).toList();

      long t0 = System.nanoTime();
      Map<Path, TaskHandle> tasks = new LinkedHashMap<>();
      for (Path input : inputs) {
        tasks.put(input, pool.submit(task(input, outDir, maxSide)));
      }
      Map<Path, ThumbnailResult> thumbnails = new LinkedHashMap<>();
      Map<Path, String> failures = new LinkedHashMap<>();
      Map<Integer, Integer> perWorker = new TreeMap<>();
      for (Map.Entry<Path, TaskHandle> task : tasks.entrySet()) {
        collect(task.getKey(), task.getValue(), thumbnails, failures, perWorker);
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
      return new Result(workers, startup, spawnToReady, elapsed, thumbnails, failures, perWorker);
    }
  }

  private static TaskSpec task(Path image, Path outDir, int maxSide) {
    ThumbnailRequest request = new ThumbnailRequest(image, outDir.resolve(image.getFileName()), maxSide);
    return TaskSpec.of(ThumbnailTasks.KIND, request.toPayload()).withDeadline(TASK_DEADLINE);
  }

  /** Waits for one task's outcome and files it under its input. */
  private static void collect(Path input, TaskHandle task, Map<Path, ThumbnailResult> thumbnails,
      Map<Path, String> failures, Map<Integer, Integer> perWorker) throws InterruptedException {
    try {
      TaskOutcome outcome = task.outcome().get();
      thumbnails.put(input, ThumbnailResult.parse(outcome.result().getPayload()));
      perWorker.merge(outcome.workerId(), 1, Integer::sum);
    } catch (ExecutionException e) {
      // A TaskFailedException: the message says why (the handler threw, the deadline passed, its worker died).
      failures.put(input, e.getCause().getMessage());
    }
  }
}
