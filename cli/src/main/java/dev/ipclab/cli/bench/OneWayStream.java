package dev.ipclab.cli.bench;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.PoolWorker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One-way throughput to one worker: a stream of one-way pings (request_id 0, counted and not answered), closed by
 * one normal ping whose pong proves the worker has read everything before it; the clock stops at that pong.
 *
 * <p>The stream goes in chunks of about 256 KiB, each followed by a normal ping, and waits for the pong of the
 * chunk before last before it sends another. That bounds what sits in the parent's outbound buffers (a socket
 * transport queues without limit) while the channel never runs dry.
 */
final class OneWayStream {
  private static final Duration PONG_TIMEOUT = Duration.ofSeconds(30);
  private static final int CHUNK_BYTES = 256 * 1024;

  /**
   * What one stream achieved.
   *
   * @param messages one-way pings sent and read by the worker
   * @param seconds from the first send to the closing pong
   */
  record Outcome(long messages, double seconds) {
    double msgsPerS() {
      return messages / seconds;
    }
  }

  private OneWayStream() {}

  /** Streams one-way pings of {@code payload} for about {@code duration}. */
  static Outcome run(PoolWorker worker, ByteString payload, Duration duration)
      throws InterruptedException, ExecutionException, TimeoutException {
    int chunk = Math.max(1, Math.min(4096, CHUNK_BYTES / (payload.size() + 16)));
    ArrayDeque<CompletableFuture<?>> marks = new ArrayDeque<>();
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    long sent = 0;
    do {
      worker.sendOneWayPings(payload, chunk); // batched: one write and flush per batch of frames
      sent += chunk;
      marks.add(worker.ping(ByteString.EMPTY, PONG_TIMEOUT));
      if (marks.size() > 2) {
        marks.poll().get(PONG_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } while (System.nanoTime() < end);
    while (!marks.isEmpty()) {
      marks.poll().get(PONG_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
    return new Outcome(sent, (System.nanoTime() - start) / 1e9);
  }
}
