package dev.ipclab.cli.conform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.proto.v1.Heartbeat;
import dev.ipclab.proto.v1.Pong;
import dev.ipclab.proto.v1.WorkerEnvelope;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.OutputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Conform's reader: frames split anyhow are read whole; stray bytes are caught and shown, never skipped over. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FrameStreamTest {
  private final PipedOutputStream worker = new PipedOutputStream();

  private FrameStream stream(int cap) throws IOException {
    return new FrameStream(new PipedInputStream(worker, 1 << 16), OutputStream.nullOutputStream(), cap, "test");
  }

  private static byte[] frame(WorkerEnvelope e) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    e.writeDelimitedTo(out);
    return out.toByteArray();
  }

  @Test
  void framesWrittenByteByByteArriveWhole() throws Exception {
    FrameStream s = stream(1024);
    byte[] bytes = frame(WorkerEnvelope.newBuilder().setRequestId(7)
        .setPong(Pong.newBuilder().setParentSendNanos(123456789)).build());
    for (byte b : bytes) {
      worker.write(b);
      worker.flush();
    }
    worker.close();

    assertThat(s.await(a -> a.size() == 1, Waits.deadline(5_000))).isTrue();
    assertThat(s.arrivals().get(0).envelope().getRequestId()).isEqualTo(7);
    assertThat(s.arrivals().get(0).wireBytes()).isEqualTo(bytes.length);
    assertThat(s.outOfSync()).isNull();
  }

  @Test
  void aPrintedLineIsCaughtAndShown() throws Exception {
    FrameStream s = stream(1 << 20);
    worker.write(frame(WorkerEnvelope.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSequence(1)).build()));
    worker.write("debug: got ping 1\n".getBytes(StandardCharsets.US_ASCII));
    worker.flush();

    assertThat(s.await(a -> false, Waits.deadline(6_000))).isFalse();

    assertThat(s.outOfSync()).as("'d' announced a 100-byte frame that never completes")
        .contains("an incomplete frame", "after 1 good frame");
    assertThat(s.outOfSyncBytes()).contains("\"debug: got ping 1.\"");
    worker.close();
  }

  @Test
  void aLengthOverTheCapIsCaughtFromThePrefix() throws Exception {
    FrameStream s = stream(64);
    worker.write(new byte[] {(byte) 0x80, 0x01}); // 128
    worker.flush();

    assertThat(s.await(a -> false, Waits.deadline(6_000))).isFalse();
    assertThat(s.outOfSync()).startsWith("a length prefix of 128 bytes, over the cap of 64 bytes");
    worker.close();
  }

  @Test
  void anIncompleteFrameAtTheEndIsEvidenceToo() throws Exception {
    FrameStream s = stream(1024);
    worker.write(new byte[] {5, 8, 1});
    worker.close();

    assertThat(s.await(a -> false, Waits.deadline(6_000))).isFalse();
    assertThat(s.outOfSync()).startsWith("end of stream in the middle of a frame");
    assertThat(s.ended()).isTrue();
  }
}
