package dev.ipclab.parent.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.ipclab.proto.v1.ControlRequest;
import dev.ipclab.proto.v1.SnapshotRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ControlFramingTest {
  @Test
  void roundTripsAFrameAndSeesACleanEnd() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ControlRequest request = ControlRequest.newBuilder()
        .setSnapshot(SnapshotRequest.newBuilder().setWorkerTimeoutMs(250)).build();
    ControlFraming.write(request, out);
    ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
    assertThat(ControlFraming.read(in, ControlRequest.parser(), 64, "test")).isEqualTo(request);
    assertThat(ControlFraming.read(in, ControlRequest.parser(), 64, "test")).isNull();
  }

  @Test
  void refusesAnOversizedLengthBeforeReadingTheBody() {
    // 0x80 0x80 0x80 0x32 is the varint of 100 MiB; no body follows, and none is allocated or waited for.
    ByteArrayInputStream in = new ByteArrayInputStream(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, 0x32});
    assertThatThrownBy(() -> ControlFraming.read(in, ControlRequest.parser(), 64, "peer-x"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("104857600 bytes from peer-x exceeds the limit of 64 bytes");
  }

  @Test
  void reportsATruncatedFrameAndABodyThatDoesNotParse() {
    assertThatThrownBy(() -> ControlFraming.read(new ByteArrayInputStream(new byte[] {10, 1, 2}),
        ControlRequest.parser(), 64, "peer-x"))
        .isInstanceOf(EOFException.class).hasMessageContaining("2 of 10 bytes");
    assertThatThrownBy(() -> ControlFraming.read(new ByteArrayInputStream(new byte[] {2, (byte) 0xff, (byte) 0xff}),
        ControlRequest.parser(), 64, "peer-x"))
        .isInstanceOf(InvalidProtocolBufferException.class);
  }
}
