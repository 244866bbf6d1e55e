package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.ErrorReply;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.frame.Frames;
import dev.ipclab.transport.stream.StreamTransport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How the pipe transport ends: a frame that cannot be right, end of stream, close, and a listener that throws. */
@Timeout(10)
class StreamTransportEndingTest {
  private static final int CAP = 1024 * 1024;

  @Test
  @Timeout(60)
  void twoGibPrefixIsAProtocolErrorAtOnceWithoutReadingTheBody() throws Exception {
    StreamFrameReaderTest.CountingEndless in = new StreamFrameReaderTest.CountingEndless(
        new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08});
    StreamTransportTest.Recorder<ParentEnvelope> seen = new StreamTransportTest.Recorder<>();
    try (StreamTransport<ParentEnvelope, WorkerEnvelope> t = new StreamTransport<>(
        in, new ByteArrayOutputStream(), ParentEnvelope.parser(), Frames.DEFAULT_MAX_FRAME_BYTES,
        "parent (stdin)", "test-reader")) {
      t.start(seen);

      // "At once" is what was read, not how long it took: at most one buffer of the endless body (checked below).
      assertThat(seen.closed.await(30, TimeUnit.SECONDS)).as("closed").isTrue();
      assertThat(seen.protocolErrors).singleElement()
          .isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
            assertThat(e.announcedBytes()).isEqualTo(1L << 31);
            assertThat(e.code()).isEqualTo(ErrorCode.ERROR_CODE_FRAME_TOO_LARGE);
            assertThat(e).hasMessageStartingWith("frame from parent (stdin) announces 2147483648 bytes (2.0 GiB),"
                + " over the limit of 16777216 bytes (16.0 MiB); it was not read.");
          });
      assertThat(seen.closes).containsExactly(seen.protocolErrors.getFirst());
      assertThat(t.closeFuture().getNow(null)).isSameAs(seen.protocolErrors.getFirst());
      assertThat(in.served).as("bytes read from the stream").isLessThanOrEqualTo(64 * 1024);
      assertThat(seen.messages).isEmpty();
    }
  }

  @Test
  void errorReplySentWithSendAndCloseKeepsTheProtocolErrorAsTheCloseCause() throws Exception {
    // 2^31 as a varint: the peer announces a 2 GiB frame.
    StreamFrameReaderTest.CountingEndless in = new StreamFrameReaderTest.CountingEndless(
        new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08});
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (StreamTransport<ParentEnvelope, WorkerEnvelope> t = new StreamTransport<>(
        in, out, ParentEnvelope.parser(), Frames.DEFAULT_MAX_FRAME_BYTES, "parent (stdin)", "test-reader")) {
      StreamTransportTest.Recorder<ParentEnvelope> seen = new StreamTransportTest.Recorder<>() {
        @Override
        public void onProtocolError(ProtocolException error) {
          super.onProtocolError(error);
          // What both sides' listeners do: answer with an error reply, then hang up.
          t.sendAndClose(WorkerEnvelope.newBuilder()
              .setError(ErrorReply.newBuilder()
                  .setCode(error.code()).setMessage(error.getMessage()))
              .build());
        }
      };
      t.start(seen);

      Throwable cause = t.closeFuture().get(2, TimeUnit.SECONDS);
      assertThat(seen.closed.await(2, TimeUnit.SECONDS)).isTrue();

      assertThat(seen.protocolErrors).singleElement().isInstanceOf(FrameTooLargeException.class);
      FrameTooLargeException error = (FrameTooLargeException) seen.protocolErrors.getFirst();
      assertThat(error.announcedBytes()).isEqualTo(1L << 31);
      assertThat(cause).as("closeFuture(), not an orderly null").isSameAs(error);
      assertThat(seen.closes).as("onClosed, exactly once").containsExactly(error);

      // The error reply went out before the close, and nothing after it.
      InputStream wire = new ByteArrayInputStream(out.toByteArray());
      WorkerEnvelope reply = WorkerEnvelope.parseDelimitedFrom(wire);
      assertThat(reply.getError().getCode()).isEqualTo(ErrorCode.ERROR_CODE_FRAME_TOO_LARGE);
      assertThat(reply.getError().getMessage()).startsWith("frame from parent (stdin) announces 2147483648 bytes");
      assertThat(wire.read()).isEqualTo(-1);
      assertThat(seen.messages).isEmpty();
    }
  }

  @Test
  void frameThatDoesNotParseShowsItsBytesAndAsksAboutStdout() throws Exception {
    byte[] stray = "Hello\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] wire = BoundedVarint32FrameDecoderTest.frame(stray);
    StreamTransportTest.Recorder<ParentEnvelope> seen = new StreamTransportTest.Recorder<>();
    try (StreamTransport<ParentEnvelope, WorkerEnvelope> t = new StreamTransport<>(
        new ByteArrayInputStream(wire), new ByteArrayOutputStream(), ParentEnvelope.parser(), CAP,
        "worker-3 pid 777", "test-reader")) {
      t.start(seen);

      assertThat(seen.closed.await(2, TimeUnit.SECONDS)).isTrue();
      assertThat(seen.protocolErrors).singleElement().satisfies(e -> {
        assertThat(e.code()).isEqualTo(ErrorCode.ERROR_CODE_MALFORMED_FRAME);
        assertThat(e.getMessage())
            .startsWith("a frame from worker-3 pid 777 (frame of 6 bytes: 48 65 6c 6c 6f 0a \"Hello.\")"
                + " does not parse as an ipclab envelope (")
            .endsWith("Expected varint-length-prefixed protobuf. Did something else write to this channel,"
                + " for example a print to stdout?");
        assertThat(e).hasCauseInstanceOf(InvalidProtocolBufferException.class);
      });
      assertThat(seen.messages).isEmpty();
    }
  }

  @Test
  void endOfStreamBetweenFramesIsAnOrderlyCloseReportedExactlyOnce() throws Exception {
    ByteArrayOutputStream one = new ByteArrayOutputStream();
    ParentEnvelope.newBuilder().setRequestId(9).build().writeDelimitedTo(one);
    byte[] wire = one.toByteArray();
    StreamTransportTest.Recorder<ParentEnvelope> seen = new StreamTransportTest.Recorder<>();
    StreamTransport<ParentEnvelope, WorkerEnvelope> t = new StreamTransport<>(
        new ByteArrayInputStream(wire), new ByteArrayOutputStream(), ParentEnvelope.parser(), CAP, "parent",
        "test-reader");
    t.start(seen);

    assertThat(seen.closed.await(2, TimeUnit.SECONDS)).isTrue();
    t.close();
    t.close();

    assertThat(t.closeFuture()).isCompletedWithValue(null);

    assertThat(seen.messages).extracting(ParentEnvelope::getRequestId).containsExactly(9L);
    assertThat(seen.closes).containsExactly((Throwable) null);
    assertThat(seen.protocolErrors).isEmpty();
  }

  @Test
  void endOfStreamInsideAFrameClosesWithTheEofAndNoProtocolError() throws Exception {
    StreamTransportTest.Recorder<ParentEnvelope> seen = new StreamTransportTest.Recorder<>();
    try (StreamTransport<ParentEnvelope, WorkerEnvelope> t = new StreamTransport<>(
        new ByteArrayInputStream(new byte[] {10, 1, 2, 3}), new ByteArrayOutputStream(), ParentEnvelope.parser(),
        CAP, "parent", "test-reader")) {
      t.start(seen);

      assertThat(seen.closed.await(2, TimeUnit.SECONDS)).isTrue();
      assertThat(t.closeFuture().getNow(null))
          .isInstanceOf(EOFException.class)
          .hasMessage("stream from parent ended after 3 of the 10 bytes its frame announced");
      assertThat(seen.closes).hasSize(1);
      assertThat(seen.protocolErrors).isEmpty();
    }
  }

  @Test
  void closeClosesTheOutputSoThePeerSeesEndOfStream() throws Exception {
    Pipe pipe = Pipe.open();
    InputStream peer = Channels.newInputStream(pipe.source());
    StreamTransport<ParentEnvelope, WorkerEnvelope> t = new StreamTransport<>(InputStream.nullInputStream(),
        Channels.newOutputStream(pipe.sink()), ParentEnvelope.parser(), CAP, "parent", "test-reader");

    t.sendAndClose(WorkerEnvelope.newBuilder().setRequestId(5).build());

    assertThat(WorkerEnvelope.parseDelimitedFrom(peer).getRequestId()).isEqualTo(5);
    assertThat(peer.read()).as("end of stream after the last frame").isEqualTo(-1);
    assertThat(t.closeFuture()).isCompletedWithValue(null);
    assertThatThrownBy(() -> t.send(WorkerEnvelope.getDefaultInstance()))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageStartingWith("cannot write to parent: ");
  }

  @Test
  void listenerThatThrowsClosesTheTransportWithItsException() throws Exception {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    ParentEnvelope.newBuilder().setRequestId(1).build().writeDelimitedTo(wire);
    ParentEnvelope.newBuilder().setRequestId(2).build().writeDelimitedTo(wire);
    StreamTransportTest.Recorder<ParentEnvelope> seen = new StreamTransportTest.Recorder<>() {
      @Override
      public void onMessage(ParentEnvelope m) {
        super.onMessage(m);
        throw new IllegalStateException("listener bug");
      }
    };
    try (StreamTransport<ParentEnvelope, WorkerEnvelope> t = new StreamTransport<>(
        new ByteArrayInputStream(wire.toByteArray()), new ByteArrayOutputStream(), ParentEnvelope.parser(), CAP,
        "parent", "test-reader")) {
      java.util.logging.Logger.getLogger(StreamTransport.class.getName()).setLevel(java.util.logging.Level.OFF);
      t.start(seen);

      assertThat(t.closeFuture().get(2, TimeUnit.SECONDS)).hasMessage("listener bug");
      assertThat(seen.messages).hasSize(1); // reading stopped at the failure
    } finally {
      java.util.logging.Logger.getLogger(StreamTransport.class.getName()).setLevel(null);
    }
  }
}
