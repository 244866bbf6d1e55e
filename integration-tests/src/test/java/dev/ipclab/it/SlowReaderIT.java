package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.WorkerFailedException;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.proto.v1.Pong;
import dev.ipclab.transport.TransportKind;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A worker that stops reading (SIGSTOP) while the parent floods it from several threads: the parent's memory stays
 * bounded, the flood is refused with a clear error instead of an OutOfMemoryError, the other worker keeps
 * answering, and once the stopped worker reads again everything accepted arrives.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SlowReaderIT {
  private static final int FRAME_BYTES = 64 * 1024;
  private static final int SENDERS = 4;
  /** 4 x 800 x 64 KiB = 200 MiB offered to a worker that reads none of it. */
  private static final int PER_SENDER = 800;
  private static final long GROWTH_LIMIT_BYTES = 64L * 1024 * 1024;

  @ParameterizedTest
  @EnumSource(value = TransportKind.class, names = {"PIPE", "TCP", "UDS"})
  void floodingAStoppedWorkerKeepsTheParentsMemoryBoundedAndLosesNothingAccepted(TransportKind transport)
      throws Exception {
    // A long heartbeat timeout: this test is about memory, not about declaring the stopped worker hung.
    try (WorkerPool pool = Pools.builder(transport, 2).heartbeat(Duration.ofMillis(200), Duration.ofSeconds(120))
        .start()) {
      PoolWorker stopped = pool.worker(1);
      PoolWorker other = pool.worker(2);
      stopped.ping(ByteString.copyFromUtf8("warm"), Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
      other.ping(ByteString.copyFromUtf8("warm"), Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
      long before = usedMemory();

      Os.kill("STOP", stopped.pid());
      ConcurrentLinkedQueue<CompletableFuture<Pong>> accepted = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Throwable> refusals = new ConcurrentLinkedQueue<>();
      AtomicLong offeredBytes = new AtomicLong();
      AtomicInteger seed = new AtomicInteger();
      List<Thread> senders = new ArrayList<>();
      for (int s = 0; s < SENDERS; s++) {
        senders.add(Thread.ofPlatform().name("slow-reader-sender-" + s).start(() -> {
          for (int i = 0; i < PER_SENDER; i++) {
            byte[] payload = new byte[FRAME_BYTES]; // a fresh one each time, as real payloads are
            payload[0] = (byte) seed.incrementAndGet();
            CompletableFuture<Pong> pong =
                stopped.tryPing(ByteString.copyFrom(payload), Duration.ofSeconds(120));
            offeredBytes.addAndGet(FRAME_BYTES);
            if (pong.isCompletedExceptionally()) {
              refusals.add(pong.exceptionNow());
            } else {
              accepted.add(pong);
            }
          }
        }));
      }
      for (Thread t : senders) {
        t.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(t.isAlive()).as("%s finished offering within 60 s, never blocked", t.getName()).isFalse();
      }
      long after = usedMemory();

      assertThat(offeredBytes.get()).as("bytes offered").isGreaterThanOrEqualTo(200L * 1024 * 1024);
      assertThat(after - before).as("parent heap + Netty direct memory growth, bytes, after offering %d MiB",
          offeredBytes.get() >> 20).isLessThan(GROWTH_LIMIT_BYTES);
      assertThat((long) accepted.size() * FRAME_BYTES).as("bytes accepted for the stopped worker")
          .isLessThan(GROWTH_LIMIT_BYTES);
      assertThat(refusals).as("refused offers").isNotEmpty();
      assertThat(refusals.peek()).isInstanceOf(WorkerFailedException.class)
          .hasMessageContaining("cannot send to worker-1")
          .hasMessageContaining("not reading: it may be stopped (SIGSTOP) or stuck");
      assertThat(other.ping(ByteString.copyFromUtf8("still here"), Duration.ofSeconds(10))
          .get(10, TimeUnit.SECONDS).getPayload().toStringUtf8()).as("the other worker answers").isEqualTo("still here");

      Os.kill("CONT", stopped.pid());
      for (CompletableFuture<Pong> pong : accepted) {
        try {
          assertThat(pong.get(60, TimeUnit.SECONDS).getPayload().size()).isEqualTo(FRAME_BYTES);
        } catch (ExecutionException e) {
          throw new AssertionError("an accepted ping to the resumed worker failed", e);
        }
      }
      assertThat(stopped.ping(ByteString.copyFromUtf8("back"), Duration.ofSeconds(10))
          .get(10, TimeUnit.SECONDS).getPayload().toStringUtf8()).isEqualTo("back");
    }
  }

  /** Heap in use after a collection, plus what Netty's allocator holds off the heap (the socket transports' buffers). */
  private static long usedMemory() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
    }
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long direct = ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider m
        ? m.metric().usedDirectMemory() : 0;
    return heap + direct;
  }
}
