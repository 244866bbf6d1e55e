package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.Ping;
import dev.ipclab.proto.v1.Pong;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.stream.StreamTransport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pipe transport over OS pipes and in-memory streams: sending, and what it shares with its other tests. */
@Timeout(10)
class StreamTransportTest {
  private static final int CAP = 1024 * 1024;

  @Test
  void pingsAndPongsRoundTripBetweenTwoTransportsOverOsPipes() throws Exception {
    Pipe toWorker = Pipe.open();
    Pipe toParent = Pipe.open();
    Recorder<WorkerEnvelope> parentSeen = new Recorder<>();
    Recorder<ParentEnvelope> workerSeen = new Recorder<>();
    try (StreamTransport<WorkerEnvelope, ParentEnvelope> parent = new StreamTransport<>(
            Channels.newInputStream(toParent.source()), Channels.newOutputStream(toWorker.sink()),
            WorkerEnvelope.parser(), CAP, "worker-1 (pipe)", "test-parent-reader");
        StreamTransport<ParentEnvelope, WorkerEnvelope> worker = new StreamTransport<>(
            Channels.newInputStream(toWorker.source()), Channels.newOutputStream(toParent.sink()),
            ParentEnvelope.parser(), CAP, "parent (stdin)", "test-worker-reader")) {
      worker.start(new Recorder<>() {
        @Override
        public void onMessage(ParentEnvelope m) {
          worker.send(WorkerEnvelope.newBuilder().setRequestId(m.getRequestId())
              .setPong(Pong.newBuilder().setPayload(m.getPing().getPayload())
                  .setParentSendNanos(m.getPing().getParentSendNanos()))
              .build());
        }

        @Override
        public void onClosed(Throwable cause) {
          workerSeen.onClosed(cause);
        }
      });
      parent.start(parentSeen);

      for (int i = 1; i <= 100; i++) {
        byte[] payload = new byte[i * 37]; // up to 3700 bytes, past the 512-byte initial write buffer
        Arrays.fill(payload, (byte) i);
        parent.send(ParentEnvelope.newBuilder().setRequestId(i)
            .setPing(Ping.newBuilder().setPayload(ByteString.copyFrom(payload)).setParentSendNanos(i * 1000L))
            .build());
      }
      for (int i = 1; i <= 100; i++) {
        WorkerEnvelope reply = parentSeen.messages.poll(5, TimeUnit.SECONDS);
        assertThat(reply).as("pong %d", i).isNotNull();
        assertThat(reply.getRequestId()).isEqualTo(i);
        assertThat(reply.getPong().getParentSendNanos()).isEqualTo(i * 1000L);
        assertThat(reply.getPong().getPayload().size()).isEqualTo(i * 37);
        assertThat(reply.getPong().getPayload().byteAt(i * 37 - 1)).isEqualTo((byte) i);
      }
      Thread reader = threadNamed("test-worker-reader");
      assertThat(reader).as("the worker side's reading thread, by its name").isNotNull();
      assertThat(reader.isDaemon()).isTrue();

      parent.close();

      // The worker reads end of stream: an orderly close, reported once.
      assertThat(workerSeen.closed.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(workerSeen.closes).containsExactly((Throwable) null);
      assertThat(worker.closeFuture().get(5, TimeUnit.SECONDS)).isNull();
      assertThat(parentSeen.closes).containsExactly((Throwable) null);
      assertThat(parentSeen.protocolErrors).isEmpty();
    }
  }

  @Test
  @Timeout(30)
  void aSendToAPeerThatReadsNothingFailsAfterTheSendWaitLimitNamingThePeer() throws Exception {
    Pipe toWorker = Pipe.open(); // nothing ever reads its source: a worker that stopped reading
    Pipe toParent = Pipe.open();
    String peer = "stdin/stdout of worker-3 pid 4242";
    try (StreamTransport<WorkerEnvelope, ParentEnvelope> parent = new StreamTransport<WorkerEnvelope, ParentEnvelope>(
        Channels.newInputStream(toParent.source()), Channels.newOutputStream(toWorker.sink()),
        WorkerEnvelope.parser(), CAP, peer, "test-parent-reader").sendWaitLimit(Duration.ofMillis(500))) {
      Recorder<WorkerEnvelope> seen = new Recorder<>();
      parent.start(seen);
      CompletableFuture<Throwable> outcome = new CompletableFuture<>();
      Thread sender = Thread.ofPlatform().daemon().name("test-sender").start(() -> {
        try {
          for (int i = 1; i <= 10_000; i++) { // 640 MiB: far more than any pipe holds
            parent.send(Traffic.ping(i, Traffic.payload(i, 64 * 1024)));
          }
          outcome.complete(null);
        } catch (Throwable e) {
          outcome.complete(e);
        }
      });

      // Without a bound the send blocks for ever in a write to the full pipe.
      Throwable failure = outcome.get(20, TimeUnit.SECONDS);
      assertThat(failure).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith(peer + " has not read for ")
          .hasMessageContaining("the send wait limit is 500 ms")
          .hasMessageContaining("It may be stopped (SIGSTOP) or stuck")
          .hasMessageContaining("its supervisor should replace it");
      sender.join(5_000);
      assertThat(parent.closeFuture()).as("the channel is given up").isDone();
      assertThat(seen.closed.await(5, TimeUnit.SECONDS)).as("the owner hears of it").isTrue();
      assertThatThrownBy(() -> parent.send(Traffic.ping(1, ByteString.EMPTY)))
          .as("a later send fails at once, for the same reason")
          .isInstanceOf(IllegalStateException.class).hasMessageStartingWith(peer + " has not read for ");
    } finally {
      toWorker.source().close();
      toParent.sink().close();
    }
  }

  @Test
  void startingTwiceIsRefused() {
    try (StreamTransport<ParentEnvelope, WorkerEnvelope> t = new StreamTransport<>(
        new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), ParentEnvelope.parser(), CAP,
        "parent (stdin)", "test-reader")) {
      t.start(new Recorder<>());

      assertThatThrownBy(() -> t.start(new Recorder<>()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("transport to parent (stdin) already started");
    }
  }

  @Test
  void framesFromConcurrentSendersNeverInterleave() throws Exception {
    int threads = 4;
    int perThread = 500;
    OneByteAtATimeSink sink = new OneByteAtATimeSink();
    try (StreamTransport<ParentEnvelope, WorkerEnvelope> t = new StreamTransport<>(
        InputStream.nullInputStream(), sink, ParentEnvelope.parser(), CAP, "parent", "test-reader")) {
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> senders = new ArrayList<>();
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      for (int s = 0; s < threads; s++) {
        int sender = s;
        senders.add(Thread.ofPlatform().name("sender-" + s).start(() -> {
          try {
            go.await();
            for (int i = 0; i < perThread; i++) {
              t.send(pong(sender, i));
            }
          } catch (Throwable e) {
            failures.add(e);
          }
        }));
      }
      go.countDown();
      for (Thread s : senders) {
        s.join();
      }
      assertThat(failures).isEmpty();
    }

    // Parse the stream back as writeDelimitedTo frames: any interleaving breaks the framing or the payloads.
    InputStream in = new ByteArrayInputStream(sink.bytes());
    int[] nextIndex = new int[threads];
    int total = 0;
    for (WorkerEnvelope m; (m = WorkerEnvelope.parseDelimitedFrom(in)) != null; ) {
      int sender = (int) (m.getRequestId() / 1_000_000);
      int index = (int) (m.getRequestId() % 1_000_000);
      assertThat(index).as("frame order of sender %d", sender).isEqualTo(nextIndex[sender]++);
      assertThat(m).isEqualTo(pong(sender, index));
      total++;
    }
    assertThat(total).isEqualTo(threads * perThread);
  }

  private static WorkerEnvelope pong(int sender, int index) {
    // Sizes from 1 byte to about 1.6 KiB, so the shared write buffer grows while others are writing.
    byte[] payload = new byte[1 + sender * 400 + index % 50];
    Arrays.fill(payload, (byte) (sender + 1));
    return WorkerEnvelope.newBuilder().setRequestId(sender * 1_000_000L + index)
        .setPong(Pong.newBuilder().setPayload(ByteString.copyFrom(payload)).setWorkerSendNanos(index))
        .build();
  }

  private static Thread threadNamed(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(th -> th.getName().equals(name)).findFirst().orElse(null);
  }

  /** Writes byte by byte and yields often, so that two unsynchronized writers would interleave. */
  static final class OneByteAtATimeSink extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private int written;

    @Override
    public void write(int b) {
      bytes.write(b);
      if (++written % 16 == 0) {
        Thread.yield();
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      for (int i = 0; i < len; i++) {
        write(b[off + i]);
      }
    }

    byte[] bytes() {
      return bytes.toByteArray();
    }
  }

  /** Records everything a transport reports. */
  static class Recorder<T> implements TransportListener<T> {
    final BlockingQueue<T> messages = new LinkedBlockingQueue<>();
    final List<ProtocolException> protocolErrors = new CopyOnWriteArrayList<>();
    final List<Throwable> closes = new CopyOnWriteArrayList<>();
    final CountDownLatch closed = new CountDownLatch(1);

    @Override
    public void onMessage(T message) {
      messages.add(message);
    }

    @Override
    public void onProtocolError(ProtocolException error) {
      protocolErrors.add(error);
    }

    @Override
    public void onClosed(Throwable cause) {
      closes.add(cause);
      closed.countDown();
    }
  }
}
