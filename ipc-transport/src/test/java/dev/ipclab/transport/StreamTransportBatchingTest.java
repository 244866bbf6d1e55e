package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.ErrorReply;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.Ping;
import dev.ipclab.proto.v1.Pong;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.stream.StreamTransport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pipe transport's batching: one flush for a burst of replies and for a batch. */
@Timeout(10)
class StreamTransportBatchingTest {
  private static final int CAP = 1024 * 1024;


  @Test
  void repliesToABurstThatArrivedInOneReadLeaveInOneFlushNotOnePerFrame() throws Exception {
    int count = 100;
    ByteArrayOutputStream burst = new ByteArrayOutputStream();
    for (int i = 1; i <= count; i++) {
      ParentEnvelope.newBuilder().setRequestId(i).setPing(Ping.getDefaultInstance()).build().writeDelimitedTo(burst);
    }
    FlushCounter out = new FlushCounter();
    StreamTransportTest.Recorder<ParentEnvelope> seen = new StreamTransportTest.Recorder<>();
    StreamTransport<ParentEnvelope, WorkerEnvelope> t = new StreamTransport<>(
        new ByteArrayInputStream(burst.toByteArray()), out, ParentEnvelope.parser(), CAP, "parent", "test-reader");
    t.start(new StreamTransportTest.Recorder<>() {
      @Override
      public void onMessage(ParentEnvelope m) {
        // On the reading thread, as the worker answers a ping.
        t.send(WorkerEnvelope.newBuilder().setRequestId(m.getRequestId()).setPong(Pong.getDefaultInstance()).build());
      }

      @Override
      public void onClosed(Throwable cause) {
        seen.onClosed(cause);
      }
    });
    assertThat(seen.closed.await(5, TimeUnit.SECONDS)).isTrue();

    InputStream wire = new ByteArrayInputStream(out.bytes.toByteArray());
    for (int i = 1; i <= count; i++) {
      assertThat(WorkerEnvelope.parseDelimitedFrom(wire).getRequestId()).as("reply %d in order", i).isEqualTo(i);
    }
    assertThat(wire.read()).isEqualTo(-1);
    // The last reply is flushed at once (no more input), the 99 before it ride along; the close may flush again.
    assertThat(out.flushes).as("flushes for %d replies", count).isBetween(1, 3);
  }

  @Test
  void sendBatchFramesEveryMessageAndFlushesOnce() throws Exception {
    FlushCounter out = new FlushCounter();
    try (StreamTransport<ParentEnvelope, WorkerEnvelope> t = new StreamTransport<>(
        new java.io.PipedInputStream(1), out, ParentEnvelope.parser(), CAP, "parent", "test-reader")) {
      List<WorkerEnvelope> batch = new ArrayList<>();
      for (int i = 1; i <= 2000; i++) {
        batch.add(WorkerEnvelope.newBuilder().setRequestId(i)
            .setPong(Pong.newBuilder().setPayload(ByteString.copyFrom(new byte[100]))).build());
      }

      t.sendBatch(batch);

      assertThat(out.flushes).isEqualTo(1);
      InputStream wire = new ByteArrayInputStream(out.bytes.toByteArray());
      for (WorkerEnvelope expected : batch) {
        assertThat(WorkerEnvelope.parseDelimitedFrom(wire)).isEqualTo(expected);
      }
      assertThat(wire.read()).isEqualTo(-1);
    }
  }

  /** Records what is written and counts the flushes. */
  static final class FlushCounter extends OutputStream {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    volatile int flushes;

    @Override
    public synchronized void write(int b) {
      bytes.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      bytes.write(b, off, len);
    }

    @Override
    public synchronized void flush() {
      flushes++;
    }
  }
}
