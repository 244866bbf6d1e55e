package dev.ipclab.cli.bench;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.proto.v1.Pong;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;

/**
 * Ping/pong round trips to one worker, one in flight, driven from the thread that reads the channel: each pong's
 * completion sends the next ping, so no round trip pays a wake-up of the caller's thread (a hop that costs as much
 * as the IPC itself). Warm-up first, unrecorded, then every round trip's {@code System.nanoTime()} interval.
 */
final class RoundTripLoop {
  private static final Duration PING_TIMEOUT = Duration.ofSeconds(10);

  private final PoolWorker worker;
  private final ByteString payload;
  private final long warmupEnd;
  private final long measureEnd;
  private final Histogram nanos = Percentiles.newNanosHistogram();
  private final CompletableFuture<Histogram> done = new CompletableFuture<>();
  private final Runnable atMeasureStart;
  private boolean measuring;

  private RoundTripLoop(PoolWorker worker, ByteString payload, long warmupEnd, long measureEnd,
      Runnable atMeasureStart) {
    this.worker = worker;
    this.atMeasureStart = atMeasureStart;
    this.payload = payload;
    this.warmupEnd = warmupEnd;
    this.measureEnd = measureEnd;
  }

  /**
   * Runs round trips for {@code warmup} then {@code measure}, and returns the measured ones in nanoseconds; fails
   * if a pong does not come back within 10 s or does not carry the payload back intact.
   *
   * @param atMeasureStart runs once, on the reading thread, just before the first measured ping (a CPU snapshot)
   */
  static Histogram run(PoolWorker worker, ByteString payload, Duration warmup, Duration measure,
      Runnable atMeasureStart) throws InterruptedException, ExecutionException, TimeoutException {
    long start = System.nanoTime();
    RoundTripLoop loop = new RoundTripLoop(worker, payload, start + warmup.toNanos(),
        start + warmup.toNanos() + measure.toNanos(), atMeasureStart);
    loop.next();
    // The histogram is only touched by one callback at a time; done.get() makes its last writes visible here.
    return loop.done.get(warmup.plus(measure).plus(PING_TIMEOUT).toMillis() + 5_000, TimeUnit.MILLISECONDS);
  }

  private void next() {
    if (!measuring && System.nanoTime() >= warmupEnd) {
      measuring = true;
      atMeasureStart.run();
    }
    long sent = System.nanoTime();
    try {
      worker.ping(payload, PING_TIMEOUT).whenComplete((pong, error) -> onPong(sent, pong, error));
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
  }

  /** Runs on the transport's reading thread (or inline if the ping failed at once). */
  private void onPong(long sent, Pong pong, Throwable error) {
    long now = System.nanoTime();
    if (error != null) {
      done.completeExceptionally(error);
      return;
    }
    if (!pong.getPayload().equals(payload)) {
      done.completeExceptionally(new IllegalStateException("a pong carried " + pong.getPayload().size()
          + " bytes that differ from the " + payload.size() + " bytes of its ping"));
      return;
    }
    if (sent >= warmupEnd) {
      Percentiles.record(nanos, now - sent);
    }
    if (now >= measureEnd) {
      done.complete(nanos);
    } else {
      next();
    }
  }
}
