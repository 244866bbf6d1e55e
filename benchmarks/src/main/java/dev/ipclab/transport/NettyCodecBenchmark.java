package dev.ipclab.transport;

import com.google.protobuf.MessageLite;
import dev.ipclab.transport.frame.Frames;
import dev.ipclab.transport.netty.NettyPipelines;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
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
 * The socket transports' codec: the very handlers {@link NettyPipelines#addCodec} puts in every tcp and uds
 * pipeline (bounded varint frame decoder, protobuf decoder, length prepender, protobuf encoder), in an
 * {@link EmbeddedChannel} with the default (pooled) allocator. The embedded channel adds its own small cost per
 * call (its queues), which the numbers include.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-XX:+UseCompactObjectHeaders"})
public class NettyCodecBenchmark {
  @Param({"PING", "TASK", "TASK_RESULT"})
  CodecMessages message;

  @Param({"0", "100", "4096"})
  int payloadBytes;

  private MessageLite envelope;
  private EmbeddedChannel channel;
  private ByteBuf frame;

  @Setup(Level.Trial)
  public void setUp() {
    envelope = message.build(CodecMessages.payload(payloadBytes));
    channel = new EmbeddedChannel();
    NettyPipelines.addCodec(channel.pipeline(), message.prototype(), Frames.DEFAULT_MAX_FRAME_BYTES,
        () -> "benchmark peer");
    channel.writeOutbound(envelope);
    frame = channel.readOutbound();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    frame.release();
    channel.finishAndReleaseAll();
  }

  /** Envelope to one framed buffer, as a write through the pipeline makes it; the buffer goes back to the pool. */
  @Benchmark
  public int encode() {
    channel.writeOutbound(envelope);
    ByteBuf out = channel.readOutbound();
    int n = out.readableBytes();
    out.release();
    return n;
  }

  /** One framed buffer in, one envelope out, as a channel read hands it to the transport. */
  @Benchmark
  public Object decode() {
    channel.writeInbound(frame.retainedDuplicate());
    return channel.readInbound();
  }
}
