package dev.ipclab.transport;

import com.google.protobuf.MessageLite;
import dev.ipclab.transport.frame.Frames;
import dev.ipclab.transport.frame.StreamFrameReader;
import dev.ipclab.transport.stream.StreamTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pipe transport's codec, on its own code paths: {@link StreamTransport#send} (varint prefix and protobuf into
 * the transport's scratch array, one write) into a stream that discards, and {@link StreamFrameReader#next} plus
 * the envelope parser, as the transport's reading thread does, over a stream that repeats one frame.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-XX:+UseCompactObjectHeaders"})
public class PipeCodecBenchmark {
  @Param({"PING", "TASK", "TASK_RESULT"})
  CodecMessages message;

  @Param({"0", "100", "4096"})
  int payloadBytes;

  private MessageLite envelope;
  private StreamTransport<MessageLite, MessageLite> transport;
  private final CountDownLatch closed = new CountDownLatch(1);
  private StreamFrameReader reader;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    envelope = message.build(CodecMessages.payload(payloadBytes));
    // The reading side of the encode transport blocks until tear-down, as a quiet peer's stdin would.
    InputStream quiet = new InputStream() {
      @Override
      public int read() throws IOException {
        try {
          closed.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return -1;
      }
    };
    @SuppressWarnings("unchecked")
    com.google.protobuf.Parser<MessageLite> parser = (com.google.protobuf.Parser<MessageLite>) message.parser();
    transport = new StreamTransport<>(quiet, OutputStream.nullOutputStream(), parser, Frames.DEFAULT_MAX_FRAME_BYTES,
        "benchmark sink", "jmh-pipe-reader");
    transport.start(new TransportListener<>() {
      @Override
      public void onMessage(MessageLite m) {}

      @Override
      public void onProtocolError(ProtocolException error) {}

      @Override
      public void onClosed(Throwable cause) {}
    });

    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    envelope.writeDelimitedTo(frame);
    reader = new StreamFrameReader(new RepeatingStream(frame.toByteArray()), Frames.DEFAULT_MAX_FRAME_BYTES,
        "benchmark source");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    closed.countDown();
    transport.close();
  }

  /** One send: size, prefix and body into the scratch array, one write and flush to the (discarding) pipe. */
  @Benchmark
  public void encode() {
    transport.send(envelope);
  }

  /** One frame: read the prefix, check it, parse the envelope in place from the reader's buffer (as the transport). */
  @Benchmark
  public MessageLite decode() throws IOException {
    if (!reader.next()) {
      throw new IllegalStateException("the repeating stream never ends");
    }
    return message.parser().parseFrom(reader.buffer(), reader.bodyOffset(), reader.bodyLength());
  }

  /** An endless stream of one frame, repeated; no allocation per read. */
  static final class RepeatingStream extends InputStream {
    private final byte[] frame;
    private int position;

    RepeatingStream(byte[] frame) {
      this.frame = frame;
    }

    @Override
    public int read() {
      int b = frame[position] & 0xff;
      position = (position + 1) % frame.length;
      return b;
    }

    @Override
    public int read(byte[] into, int offset, int length) {
      int n = Math.min(length, frame.length - position);
      System.arraycopy(frame, position, into, offset, n);
      position = (position + n) % frame.length;
      return n;
    }
  }
}
