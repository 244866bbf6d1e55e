package dev.ipclab.cli.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.TaskHandle;
import dev.ipclab.parent.TaskSpec;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.transport.TransportKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * The pool's own speed, on a pool of {@value #WORKERS} workers running {@code echo} tasks of
 * {@value #PAYLOAD_BYTES} B: tasks per second submitted one by one (many in flight) against the same tasks
 * batched with {@link WorkerPool#map}; and one task at a time through the pool against one ping at a time to
 * the same worker, both measured in the same run, in turns.
 */
final class PoolThroughput {
  static final int WORKERS = 2;
  static final int PAYLOAD_BYTES = 100;
  /** Inputs per {@link WorkerPool#map} call; several calls are under way at once, as the queue allows. */
  static final int MAP_BATCH = 1024;
  private static final int SLICES = 3;
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final WorkerPool pool;
  private final BytesValue input;
  private final TaskSpec task;

  private PoolThroughput(WorkerPool pool) {
    this.pool = pool;
    byte[] bytes = new byte[PAYLOAD_BYTES - 2]; // a BytesValue's tag and length byte make up the rest
    new Random(PAYLOAD_BYTES).nextBytes(bytes);
    this.input = BytesValue.of(ByteString.copyFrom(bytes));
    this.task = TaskSpec.of("echo", input.toByteString());
  }

  /** Starts a pool on {@code transport}, measures it for about 4 x warm-up + 4 x {@code measure}, closes it. */
  static BenchReport.PoolTasks run(TransportKind transport, Duration warmup, Duration measure) throws Exception {
    try (WorkerPool pool = WorkerPool.builder().workers(WORKERS).transport(transport).start()) {
      PoolThroughput bench = new PoolThroughput(pool);
      bench.submitOneByOne(warmup);
      long[] submit = bench.submitOneByOne(measure);
      bench.mapBatches(warmup);
      long[] map = bench.mapBatches(measure);
      PoolWorker worker = pool.worker(1);
      Histogram tasks = Percentiles.newNanosHistogram();
      Histogram pings = Percentiles.newNanosHistogram();
      bench.oneAtATime(warmup.dividedBy(2));
      RoundTripLoop.run(worker, bench.task.payload(), Duration.ZERO, warmup.dividedBy(2), () -> { });
      Duration slice = measure.dividedBy(SLICES);
      for (int s = 0; s < SLICES; s++) { // in turns, so a change in the machine's load hits both
        tasks.add(bench.oneAtATime(slice));
        pings.add(RoundTripLoop.run(worker, bench.task.payload(), Duration.ZERO, slice, () -> { }));
      }
      double submitRate = submit[0] / (submit[1] / 1e9);
      double mapRate = map[0] / (map[1] / 1e9);
      Percentiles taskUs = Percentiles.of(tasks);
      Percentiles pingUs = Percentiles.of(pings);
      return new BenchReport.PoolTasks(transport.cliName(), WORKERS, PAYLOAD_BYTES, submit[0], Math.round(submitRate), map[0],
          Math.round(mapRate), MAP_BATCH, Math.round(mapRate / submitRate * 100) / 100.0, taskUs, pingUs,
          Math.round(taskUs.p50() / pingUs.p50() * 100) / 100.0);
    }
  }

  /** Submits tasks one by one for {@code length}, then waits for the last; returns {tasks, nanos}. */
  private long[] submitOneByOne(Duration length) throws Exception {
    AtomicLong done = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long start = System.nanoTime();
    long end = start + length.toNanos();
    long submitted = 0;
    TaskHandle last = null;
    while (System.nanoTime() < end && failure.get() == null) {
      // The pool's queue bounds what is in flight: submit waits for room (Backpressure.BLOCK).
      last = pool.submit(task);
      submitted++;
      last.outcome().whenComplete((outcome, error) -> {
        if (error != null) {
          failure.compareAndSet(null, error);
        } else if (outcome.result().getPayload().size() != PAYLOAD_BYTES) {
          failure.compareAndSet(null, new IllegalStateException("an echo came back with "
              + outcome.result().getPayload().size() + " bytes, not " + PAYLOAD_BYTES));
        }
        done.incrementAndGet();
      });
    }
    awaitAll(done, submitted, failure);
    return new long[] {submitted, System.nanoTime() - start};
  }

  /** Calls {@code map} with {@value #MAP_BATCH} inputs at a time for {@code length}; returns {tasks, nanos}. */
  private long[] mapBatches(Duration length) throws Exception {
    List<BytesValue> inputs = java.util.Collections.nCopies(MAP_BATCH, input);
    List<CompletableFuture<List<BytesValue>>> calls = new ArrayList<>();
    long start = System.nanoTime();
    long end = start + length.toNanos();
    while (System.nanoTime() < end) {
      calls.add(pool.map("echo", inputs, BytesValue.parser()));
    }
    for (CompletableFuture<List<BytesValue>> call : calls) {
      List<BytesValue> outputs = call.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (outputs.size() != MAP_BATCH || !outputs.getLast().equals(input)) {
        throw new IllegalStateException("a map of " + MAP_BATCH + " echoes returned " + outputs.size()
            + " results, or not its inputs");
      }
    }
    return new long[] {(long) calls.size() * MAP_BATCH, System.nanoTime() - start};
  }

  private static void awaitAll(AtomicLong done, long expected, AtomicReference<Throwable> failure)
      throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (done.get() < expected) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + done.get() + " of " + expected + " tasks had an outcome after "
            + TIMEOUT.toSeconds() + " s");
      }
      Thread.sleep(1);
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a bench task failed: " + failure.get(), failure.get());
    }
  }

  /**
   * One task in flight at a time for {@code length}, each submitted from the previous one's completion (the
   * channel's reading thread), as {@link RoundTripLoop} sends pings: no round trip pays a wake-up of this thread.
   */
  private Histogram oneAtATime(Duration length) throws Exception {
    Histogram nanos = Percentiles.newNanosHistogram();
    CompletableFuture<Histogram> finished = new CompletableFuture<>();
    long end = System.nanoTime() + length.toNanos();
    new Object() {
      void next() {
        long sent = System.nanoTime();
        try {
          pool.submit(task).outcome().whenComplete((outcome, error) -> {
            long now = System.nanoTime();
            if (error != null) {
              finished.completeExceptionally(error);
              return;
            }
            Percentiles.record(nanos, now - sent);
            if (now >= end) {
              finished.complete(nanos);
            } else {
              next();
            }
          });
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          finished.completeExceptionally(e);
        }
      }
    }.next();
    return finished.get(length.plus(TIMEOUT).toMillis(), TimeUnit.MILLISECONDS);
  }
}
