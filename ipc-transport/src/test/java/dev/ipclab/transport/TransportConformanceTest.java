package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.ErrorReply;
import dev.ipclab.proto.v1.Goodbye;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.fault.RawByteSink;
import dev.ipclab.transport.frame.Frames;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every {@link Transport} keeps, run against two real connected ends of one implementation (see
 * {@link TransportPairTest} for how a subclass supplies them).
 */
abstract class TransportConformanceTest extends TransportPairTest {
  private static final long WAIT_SECONDS = Traffic.WAIT_SECONDS;

  @Test
  @Timeout(10)
  void framesArriveInOrderIntactAndExactlyOnceInBothDirections() throws Exception {
    openAndStart();
    int count = 1000;
    ByteString[] payloads = new ByteString[count + 1];
    for (int i = 1; i <= count; i++) {
      // 0 bytes, then sizes spread over 0..64 KiB, and the last one 64 KiB exactly.
      int size = i == 1 ? 0 : i == count ? 64 * 1024 : (int) ((i * 7919L) % (64 * 1024));
      payloads[i] = Traffic.payload(i, size);
    }
    long sentinel = count + 1;

    for (int i = 1; i <= count; i++) {
      parent().send(Traffic.ping(i, payloads[i]));
    }
    parent().send(Traffic.ping(sentinel, ByteString.EMPTY));
    for (int i = 1; i <= count; i++) {
      ParentEnvelope m = Traffic.next(workerSeen.messages, "ping " + i);
      assertThat(m.getRequestId()).as("request id of the frame received in place %d", i).isEqualTo(i);
      assertThat(m.getPing().getParentSendNanos()).isEqualTo(i);
      assertThat(m.getPing().getPayload().size()).as("payload bytes of ping %d", i).isEqualTo(payloads[i].size());
      assertThat(m.getPing().getPayload().equals(payloads[i])).as("payload of ping %d intact", i).isTrue();
    }
    assertThat(Traffic.next(workerSeen.messages, "the sentinel ping").getRequestId())
        .as("the frame after the last ping: no duplicate, no stray frame").isEqualTo(sentinel);

    for (int i = 1; i <= count; i++) {
      worker().send(Traffic.pong(i, payloads[i]));
    }
    worker().send(Traffic.pong(sentinel, ByteString.EMPTY));
    for (int i = 1; i <= count; i++) {
      WorkerEnvelope m = Traffic.next(parentSeen.messages, "pong " + i);
      assertThat(m.getRequestId()).as("request id of the frame received in place %d", i).isEqualTo(i);
      assertThat(m.getPong().getPayload().size()).as("payload bytes of pong %d", i).isEqualTo(payloads[i].size());
      assertThat(m.getPong().getPayload().equals(payloads[i])).as("payload of pong %d intact", i).isTrue();
    }
    assertThat(Traffic.next(parentSeen.messages, "the sentinel pong").getRequestId()).isEqualTo(sentinel);

    assertThat(parentSeen.events).hasSize(count + 1);
    assertThat(workerSeen.events).hasSize(count + 1);
    assertThat(parent().closeFuture()).isNotDone();
    assertThat(worker().closeFuture()).isNotDone();
  }

  @Test
  @Timeout(10)
  void framesOfConcurrentSendersNeverInterleaveAndKeepEachSendersOrder() throws Exception {
    openAndStart();
    int threads = 4;
    int perThread = 300;
    long sentinel = 999_999_999L;
    CountDownLatch go = new CountDownLatch(1);
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<Thread> senders = new ArrayList<>();
    // Both directions at once: each side's frames cross the other's on a full-duplex channel.
    for (int s = 0; s < threads; s++) {
      int sender = s;
      senders.add(Traffic.startSender("parent-sender-" + s, go, failures, perThread,
          i -> parent().send(Traffic.ping(Traffic.concurrentId(sender, i), Traffic.concurrentPayload(Traffic.concurrentId(sender, i))))));
      senders.add(Traffic.startSender("worker-sender-" + s, go, failures, perThread,
          i -> worker().send(Traffic.pong(Traffic.concurrentId(sender, i), Traffic.concurrentPayload(Traffic.concurrentId(sender, i))))));
    }
    go.countDown();
    for (Thread t : senders) {
      t.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      assertThat(t.isAlive()).as("%s finished sending within %d s", t.getName(), WAIT_SECONDS).isFalse();
    }
    assertThat(failures).as("failures of the sending threads").isEmpty();
    // Sent after every sender returned, so it must come after all of their frames.
    parent().send(Traffic.ping(sentinel, ByteString.EMPTY));
    worker().send(Traffic.pong(sentinel, ByteString.EMPTY));

    Traffic.checkPerSenderOrder(workerSeen.messages, threads, perThread, ParentEnvelope::getRequestId,
        m -> m.getPing().getPayload(), sentinel);
    Traffic.checkPerSenderOrder(parentSeen.messages, threads, perThread, WorkerEnvelope::getRequestId,
        m -> m.getPong().getPayload(), sentinel);
  }

  @Test
  @Timeout(20)
  void sendBatchDeliversEveryFrameInOrderBetweenSingleSends() throws Exception {
    openAndStart();
    int batch = 5000; // 100-byte payloads: several 64 KiB write chunks
    parent().send(Traffic.ping(1, Traffic.payload(1, 100)));
    List<ParentEnvelope> pings = new ArrayList<>();
    for (int i = 2; i < 2 + batch; i++) {
      pings.add(Traffic.ping(i, Traffic.payload(i, 100)));
    }
    parent().sendBatch(pings);
    parent().send(Traffic.ping(2 + batch, Traffic.payload(2 + batch, 100)));
    worker().sendBatch(List.of(Traffic.pong(7, ByteString.EMPTY), Traffic.pong(8, ByteString.EMPTY)));

    for (int i = 1; i <= 2 + batch; i++) {
      ParentEnvelope m = Traffic.next(workerSeen.messages, "ping " + i);
      assertThat(m.getRequestId()).as("request id of the frame received in place %d", i).isEqualTo(i);
      assertThat(m.getPing().getPayload().equals(Traffic.payload(i, 100))).as("payload of ping %d", i).isTrue();
    }
    assertThat(Traffic.next(parentSeen.messages, "pong 7").getRequestId()).isEqualTo(7);
    assertThat(Traffic.next(parentSeen.messages, "pong 8").getRequestId()).isEqualTo(8);
  }

  @Test
  @Timeout(20)
  void offerFailsWithAClearMessageOnceTooMuchWaitsForAPeerThatDoesNotRead() throws Exception {
    open(Frames.DEFAULT_MAX_FRAME_BYTES);
    parent().start(parentSeen);
    // The worker end is not started: nothing reads. 64 KiB frames: the 16 MiB bound is reached after 256 of
    // them, plus what the OS channel holds (a 64 KiB pipe, a few MiB of socket buffers).
    int size = 64 * 1024;
    int accepted = 0;
    IllegalStateException refused = null;
    for (int i = 1; i <= 2000 && refused == null; i++) {
      try {
        parent().offer(Traffic.ping(i, Traffic.payload(i, size)));
        accepted++;
      } catch (IllegalStateException e) {
        refused = e;
      }
    }

    assertThat(refused).as("an offer refused after %d accepted", accepted).isNotNull()
        .hasMessageContaining("waiting to be written to " + ends.parentPeer())
        .hasMessageContaining("16.0 MiB")
        .hasMessageContaining("not reading: it may be stopped (SIGSTOP) or stuck");
    assertThat(accepted).as("frames accepted before the refusal").isBetween(200, 1000);
    assertThat(parent().closeFuture()).as("a refused offer does not close the channel").isNotDone();
  }

  @Test
  @Timeout(60)
  void offerNeverBlocksOnAPeerThatDoesNotReadAndKeepsOrderWithSend() throws Exception {
    open(Frames.DEFAULT_MAX_FRAME_BYTES);
    parent().start(parentSeen);
    // The worker end is not started: nothing reads, so the OS buffers fill (a pipe holds 64 KiB).
    int offered = 600;
    int mixed = 200;
    int size = 16 * 1024;
    CompletableFuture<Void> offers = new CompletableFuture<>();
    Thread offerer = Thread.ofPlatform().daemon().name(THREAD_PREFIX + "offerer").start(() -> {
      try {
        for (int i = 1; i <= offered; i++) {
          parent().offer(Traffic.ping(i, Traffic.payload(i, size)));
        }
        offers.complete(null);
      } catch (Throwable e) {
        offers.completeExceptionally(e);
      }
    });
    try {
      // A blocked offer never returns (nothing reads), so it fails here with a TimeoutException; a generous bound
      // only gives a loaded machine time to copy 600 frames.
      offers.get(20, TimeUnit.SECONDS);
    } finally {
      offerer.interrupt();
    }

    worker().start(workerSeen);
    // From one thread, offers and sends alternate while earlier frames are still waiting to be written.
    for (int i = offered + 1; i <= offered + mixed; i++) {
      if (i % 2 == 0) {
        parent().offer(Traffic.ping(i, Traffic.payload(i, size)));
      } else {
        parent().send(Traffic.ping(i, Traffic.payload(i, size)));
      }
    }
    for (int i = 1; i <= offered + mixed; i++) {
      ParentEnvelope m = Traffic.next(workerSeen.messages, "ping " + i);
      assertThat(m.getRequestId()).as("request id of the frame received in place %d", i).isEqualTo(i);
      assertThat(m.getPing().getPayload().equals(Traffic.payload(i, size))).as("payload of ping %d intact", i).isTrue();
    }
    assertThat(workerSeen.protocolErrors).isEmpty();
  }

  @Test
  @Timeout(10)
  void sendAndCloseDeliversTheLastFrameThenThePeerSeesAnOrderlyClose() throws Exception {
    openAndStart();
    for (int i = 1; i <= 10; i++) {
      worker().send(Traffic.pong(i, Traffic.payload(i, 100 * i)));
    }
    WorkerEnvelope last = WorkerEnvelope.newBuilder().setRequestId(11)
        .setGoodbye(Goodbye.newBuilder().setRequestsServed(10)).build();

    worker().sendAndClose(last);

    assertThat(worker().closeFuture().get(WAIT_SECONDS, TimeUnit.SECONDS)).as("local close cause").isNull();
    assertThat(parentSeen.closed.get(WAIT_SECONDS, TimeUnit.SECONDS)).as("the peer's close cause").isNull();
    assertThat(parent().closeFuture().get(WAIT_SECONDS, TimeUnit.SECONDS)).isNull();
    assertThat(workerSeen.closed.get(WAIT_SECONDS, TimeUnit.SECONDS)).isNull();
    // Closing again must not report a second close to anyone.
    parent().close();
    worker().close();

    List<Object> expected = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      expected.add(Traffic.pong(i, Traffic.payload(i, 100 * i)));
    }
    expected.add(last);
    expected.add(new EventRecorder.Closed(null));
    assertThat(EventRecorder.summaries(parentSeen.events)).as("what the peer saw, in order: the last frame, then the close")
        .isEqualTo(EventRecorder.summaries(expected));
    assertThat(parentSeen.events.get(10)).isEqualTo(last);
    assertThat(parentSeen.closes).as("the peer's onClosed calls").containsExactly((Throwable) null);
    assertThat(workerSeen.closes).as("the closing side's onClosed calls").containsExactly((Throwable) null);
    assertThat(parentSeen.protocolErrors).isEmpty();
  }

  @Test
  @Timeout(10)
  void closeIsIdempotentAndEachSideHearsOfItExactlyOnce() throws Exception {
    openAndStart();
    parent().send(Traffic.ping(1, Traffic.payload(1, 10)));
    assertThat(Traffic.next(workerSeen.messages, "ping 1").getRequestId()).isEqualTo(1);

    parent().close();
    parent().close();

    assertThat(parent().closeFuture().get(WAIT_SECONDS, TimeUnit.SECONDS)).as("local close cause").isNull();
    assertThat(workerSeen.closed.get(WAIT_SECONDS, TimeUnit.SECONDS)).as("the peer's close cause").isNull();
    assertThat(worker().closeFuture().get(WAIT_SECONDS, TimeUnit.SECONDS)).as("the peer's closeFuture").isNull();
    assertThat(parentSeen.closed.get(WAIT_SECONDS, TimeUnit.SECONDS)).isNull();
    parent().close();
    worker().close();
    worker().close();

    assertThat(workerSeen.closes).as("the peer's onClosed calls").containsExactly((Throwable) null);
    assertThat(parentSeen.closes).as("the closing side's onClosed calls").containsExactly((Throwable) null);
    assertThat(EventRecorder.summaries(workerSeen.events)).isEqualTo(EventRecorder.summaries(List.of(Traffic.ping(1, Traffic.payload(1, 10)), new EventRecorder.Closed(null))));
  }

  @Test
  @Timeout(10)
  void garbageFromThePeerIsAMalformedFrameErrorThenOneCloseWithThatError() throws Exception {
    openAndStart();
    byte[] garbage = new byte[6];
    java.util.Arrays.fill(garbage, (byte) 0xff);

    RawByteSink.of(worker()).writeRaw(garbage);

    Throwable cause = parent().closeFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(parentSeen.closed.get(WAIT_SECONDS, TimeUnit.SECONDS)).isSameAs(cause);
    assertThat(parentSeen.protocolErrors).singleElement().satisfies(e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.ERROR_CODE_MALFORMED_FRAME);
      assertThat(e).hasMessageContaining(ends.parentPeer()).hasMessageContaining("longer than 5 bytes");
    });
    ProtocolException error = parentSeen.protocolErrors.getFirst();
    assertThat(cause).as("the receiver's closeFuture").isSameAs(error);
    assertThat(EventRecorder.summaries(parentSeen.events)).as("what the receiver saw, in order")
        .isEqualTo(EventRecorder.summaries(List.of(error, new EventRecorder.Closed(error))));
    // The sender of the garbage learns that the channel is gone.
    assertThat(workerSeen.closed.get(WAIT_SECONDS, TimeUnit.SECONDS)).isNull();
    assertThat(workerSeen.closes).hasSize(1);
  }

  @Test
  @Timeout(60)
  void twoGibPrefixIsRefusedAtOnceAndTheErrorReplyArrivesBeforeTheClose() throws Exception {
    open(Frames.DEFAULT_MAX_FRAME_BYTES);
    // What both sides' listeners do with a protocol error: answer it, then hang up.
    parentSeen.answer = e -> parent().sendAndClose(ParentEnvelope.newBuilder()
        .setError(ErrorReply.newBuilder().setCode(e.code()).setMessage(e.getMessage())).build());
    parent().start(parentSeen);
    worker().start(workerSeen);

    RawByteSink.of(worker()).writeRaw(Traffic.TWO_GIB_PREFIX);

    // "At once" is a fact, not a duration: only the prefix was sent, so a FrameTooLargeException (below) can only
    // come from refusing the prefix; a receiver waiting for the body would never produce it.
    ProtocolException error = parentSeen.firstError.get(20, TimeUnit.SECONDS);
    assertThat(error).isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.ERROR_CODE_FRAME_TOO_LARGE);
      assertThat(e.announcedBytes()).isEqualTo(1L << 31);
      assertThat(e.maxFrameBytes()).isEqualTo(Frames.DEFAULT_MAX_FRAME_BYTES);
      assertThat(e).hasMessageStartingWith("frame from " + ends.parentPeer() + " announces 2147483648 bytes");
    });
    assertThat(parent().closeFuture().get(WAIT_SECONDS, TimeUnit.SECONDS)).as("the receiver's closeFuture")
        .isSameAs(error);
    assertThat(parentSeen.closed.get(WAIT_SECONDS, TimeUnit.SECONDS)).as("the receiver's onClosed").isSameAs(error);
    assertThat(parentSeen.closes).containsExactly(error);
    assertThat(parentSeen.messages).isEmpty();

    ParentEnvelope reply = Traffic.next(workerSeen.messages, "the error reply");
    assertThat(reply.getError().getCode()).isEqualTo(ErrorCode.ERROR_CODE_FRAME_TOO_LARGE);
    assertThat(reply.getError().getMessage()).isEqualTo(error.getMessage());
    assertThat(workerSeen.closed.get(WAIT_SECONDS, TimeUnit.SECONDS)).as("the peer's close cause").isNull();
    assertThat(EventRecorder.summaries(workerSeen.events)).as("what the peer saw, in order")
        .isEqualTo(EventRecorder.summaries(List.of(reply, new EventRecorder.Closed(null))));
  }

  @Test
  @Timeout(10)
  void frameOverTheConfiguredLimitIsRefusedByTheReceiver() throws Exception {
    open(1024);
    parent().start(parentSeen);
    worker().start(workerSeen);
    ParentEnvelope fits = Traffic.ping(1, Traffic.payload(1, 900));
    ParentEnvelope tooLarge = Traffic.ping(2, Traffic.payload(2, 2000));

    parent().send(fits);
    parent().send(tooLarge);

    ProtocolException error = workerSeen.firstError.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(error).isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.ERROR_CODE_FRAME_TOO_LARGE);
      assertThat(e.announcedBytes()).isEqualTo(tooLarge.getSerializedSize());
      assertThat(e.maxFrameBytes()).isEqualTo(1024);
      assertThat(e).hasMessageContaining(ends.workerPeer());
    });
    assertThat(worker().closeFuture().get(WAIT_SECONDS, TimeUnit.SECONDS)).isSameAs(error);
    assertThat(workerSeen.closed.get(WAIT_SECONDS, TimeUnit.SECONDS)).isSameAs(error);
    assertThat(EventRecorder.summaries(workerSeen.events)).as("what the receiver saw, in order")
        .isEqualTo(EventRecorder.summaries(List.of(fits, error, new EventRecorder.Closed(error))));
    assertThat(workerSeen.events.getFirst()).isEqualTo(fits);
  }

  @Test
  @Timeout(10)
  void kindAndDescriptionMatchTheImplementation() throws Exception {
    open(Frames.DEFAULT_MAX_FRAME_BYTES);

    assertThat(parent()).isInstanceOf(implementation());
    assertThat(worker()).isInstanceOf(implementation());
    assertThat(parent().kind()).isEqualTo(kind());
    assertThat(worker().kind()).isEqualTo(kind());
    assertThat(parent().describe()).isNotBlank().isEqualTo(ends.parentPeer());
    assertThat(worker().describe()).isNotBlank().isEqualTo(ends.workerPeer());

    parent().start(parentSeen);
    worker().start(workerSeen);
    parent().close();
    worker().close();

    assertThat(parent().describe()).as("still named after the close, for late log lines")
        .isEqualTo(ends.parentPeer());
    assertThat(worker().describe()).isEqualTo(ends.workerPeer());
  }

  @Test
  @Timeout(10)
  void sendingAfterCloseThrowsAndNamesThePeer() throws Exception {
    openAndStart();
    parent().close();

    // One type on every transport, so that a caller can catch it: the pipe's choice, which is also what a send
    // whose write fails throws.
    assertThatThrownBy(() -> parent().send(Traffic.ping(1, ByteString.EMPTY))).as("send after close")
        .isInstanceOf(UncheckedIOException.class).hasMessageContaining(ends.parentPeer());
    assertThatThrownBy(() -> parent().offer(Traffic.ping(2, ByteString.EMPTY))).as("offer after close")
        .isInstanceOf(UncheckedIOException.class).hasMessageContaining(ends.parentPeer());
    assertThat(workerSeen.closed.get(WAIT_SECONDS, TimeUnit.SECONDS)).isNull();
    assertThat(workerSeen.messages).as("nothing sent after the close arrives").isEmpty();
  }
}
