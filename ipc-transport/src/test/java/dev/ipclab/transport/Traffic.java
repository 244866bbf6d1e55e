package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.Ping;
import dev.ipclab.proto.v1.Pong;
import dev.ipclab.proto.v1.WorkerEnvelope;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/** The frames the conformance suite sends, and the senders and checks that drive them. */
final class Traffic {
  static final long WAIT_SECONDS = 5;
  static final byte[] TWO_GIB_PREFIX = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};

  private Traffic() {}

  static Thread startSender(String name, CountDownLatch go, List<Throwable> failures, int count,
      Consumer<Integer> sendOne) {
    return Thread.ofPlatform().daemon().name(TransportConformanceTest.THREAD_PREFIX + name).start(() -> {
      try {
        go.await();
        for (int i = 0; i < count; i++) {
          sendOne.accept(i);
        }
      } catch (Throwable e) {
        failures.add(e);
      }
    });
  }

  static <T> void checkPerSenderOrder(BlockingQueue<T> received, int threads, int perThread,
      ToLongFunction<T> id, java.util.function.Function<T, ByteString> payloadOf, long sentinel)
      throws InterruptedException {
    int[] next = new int[threads];
    for (int k = 0; k < threads * perThread; k++) {
      T m = next(received, "frame " + k + " of " + threads * perThread);
      long requestId = id.applyAsLong(m);
      int sender = (int) (requestId / 1_000_000);
      int index = (int) (requestId % 1_000_000) - 1;
      assertThat(sender).as("sender of frame %d (request id %d)", k, requestId).isBetween(0, threads - 1);
      assertThat(index).as("frame order of sender %d", sender).isEqualTo(next[sender]++);
      assertThat(payloadOf.apply(m).equals(concurrentPayload(requestId)))
          .as("payload of frame %d of sender %d intact", index, sender).isTrue();
    }
    assertThat(id.applyAsLong(next(received, "the sentinel"))).as("the frame after all senders' frames")
        .isEqualTo(sentinel);
  }

  static long concurrentId(int sender, int index) {
    return sender * 1_000_000L + index + 1;
  }

  /** Up to 20 KB: larger than PIPE_BUF (4 KiB), so an unlocked write to a pipe could be split and interleaved. */
  static ByteString concurrentPayload(long requestId) {
    return payload(requestId, (int) ((requestId * 613) % 20_000));
  }

  static <T> T next(BlockingQueue<T> queue, String what) throws InterruptedException {
    T m = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(m).as("%s, received within %d s", what, WAIT_SECONDS).isNotNull();
    return m;
  }

  /** Bytes that differ per message and per position, so a lost, shifted or swapped byte shows. */
  static ByteString payload(long seed, int size) {
    byte[] bytes = new byte[size];
    new SplittableRandom(seed).nextBytes(bytes);
    return ByteString.copyFrom(bytes);
  }

  static ParentEnvelope ping(long requestId, ByteString payload) {
    return ParentEnvelope.newBuilder().setRequestId(requestId)
        .setPing(Ping.newBuilder().setPayload(payload).setParentSendNanos(requestId)).build();
  }

  static WorkerEnvelope pong(long requestId, ByteString payload) {
    return WorkerEnvelope.newBuilder().setRequestId(requestId)
        .setPong(Pong.newBuilder().setPayload(payload).setParentSendNanos(requestId)).build();
  }

  static List<Thread> ourThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(TransportConformanceTest.THREAD_PREFIX)).toList();
  }
}
