package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ipclab.proto.v1.Ping;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.transport.frame.Frames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Sizes for people, prefix sizes, and the length check done before allocating. */
class FramesTest {

  @Test
  void describeBytesShowsExactBytesAndAReadableUnit() {
    assertThat(Frames.describeBytes(0)).isEqualTo("0 bytes");
    assertThat(Frames.describeBytes(1023)).isEqualTo("1023 bytes");
    assertThat(Frames.describeBytes(1024)).isEqualTo("1024 bytes (1.0 KiB)");
    assertThat(Frames.describeBytes(1536)).isEqualTo("1536 bytes (1.5 KiB)");
    assertThat(Frames.describeBytes(Frames.DEFAULT_MAX_FRAME_BYTES)).isEqualTo("16777216 bytes (16.0 MiB)");
    assertThat(Frames.describeBytes(1L << 31)).isEqualTo("2147483648 bytes (2.0 GiB)");
    assertThat(Frames.describeBytes(1L << 40)).isEqualTo("1099511627776 bytes (1.0 TiB)");
    // The largest a five-byte varint can announce; TiB is the biggest unit, so no index runs off the end.
    assertThat(Frames.describeBytes((1L << 35) - 1)).isEqualTo("34359738367 bytes (32.0 GiB)");
    assertThat(Frames.describeBytes(1L << 52)).isEqualTo("4503599627370496 bytes (4096.0 TiB)");
  }

  @Test
  void prefixBytesMatchesWhatWriteDelimitedToWrites() throws IOException {
    for (int size : new int[] {0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152}) {
      ParentEnvelope m = ParentEnvelope.newBuilder()
          .setPing(Ping.newBuilder().setPayload(ByteString.copyFrom(new byte[size]))).build();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      m.writeDelimitedTo(out);

      assertThat(Frames.prefixBytes(m.getSerializedSize()))
          .as("prefix of a %d-byte payload", size)
          .isEqualTo(out.size() - m.getSerializedSize());
    }
    assertThat(Frames.prefixBytes(127)).isEqualTo(1);
    assertThat(Frames.prefixBytes(128)).isEqualTo(2);
    assertThat(Frames.prefixBytes(Integer.MAX_VALUE)).isEqualTo(Frames.MAX_VARINT32_BYTES);
  }

  @Test
  void checkLengthAcceptsUpToTheLimitAndRefusesBeyondIt() {
    assertThatCode(() -> Frames.checkLength(100, 100, "worker-1")).doesNotThrowAnyException();
    assertThatCode(() -> Frames.checkLength(0, 100, "worker-1")).doesNotThrowAnyException();

    assertThatThrownBy(() -> Frames.checkLength(101, 100, "worker-1"))
        .isInstanceOf(FrameTooLargeException.class)
        .hasMessage("frame from worker-1 announces 101 bytes, over the limit of 100 bytes; it was not read."
            + " Send smaller messages, or raise --max-frame-bytes on both sides if frames this large are intended.");
    assertThatThrownBy(() -> Frames.checkLength((1L << 35) - 1, Integer.MAX_VALUE, "worker-1"))
        .isInstanceOf(FrameTooLargeException.class);
  }

  @Test
  void aHugeFrameOnAPipeAsksWhetherSomethingPrintedToStdout() {
    assertThatThrownBy(() -> Frames.checkLength(5_000_000, 100, "stdin/stdout of worker-2 pid 42"))
        .isInstanceOf(FrameTooLargeException.class)
        .hasMessageEndingWith("did something print to this worker's stdout?");
  }
}
