package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.ipclab.proto.v1.ErrorCode;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Classifying failures in a cause chain into the error code sent back to the peer. */
class ProtocolExceptionTest {

  @Test
  void findsTheProtocolExceptionThatNettyWrapped() {
    FrameTooLargeException tooLarge = new FrameTooLargeException(1L << 31, 100, "worker-1");

    assertThat(ProtocolException.from(new DecoderException(tooLarge), "worker-1")).isSameAs(tooLarge);
  }

  @Test
  void unparsableBytesAreAMalformedFrameAskingAboutStdout() {
    InvalidProtocolBufferException cause = new InvalidProtocolBufferException("Protocol message had invalid UTF-8.");

    ProtocolException e = ProtocolException.from(new DecoderException(cause), "tcp 127.0.0.1:4000");

    assertThat(e.code()).isEqualTo(ErrorCode.ERROR_CODE_MALFORMED_FRAME);
    assertThat(e).hasMessage("a frame from tcp 127.0.0.1:4000 does not parse as an ipclab envelope (Protocol message"
        + " had invalid UTF-8.). Expected varint-length-prefixed protobuf. Did something else write to this"
        + " channel, for example a print to stdout?");
    assertThat(e).hasCause(cause);
  }

  @Test
  void anythingElseIsAnInternalErrorNamingThePeer() {
    IOException reset = new IOException("Connection reset by peer");

    ProtocolException e = ProtocolException.from(reset, "uds /tmp/x/ipc.sock");

    assertThat(e.code()).isEqualTo(ErrorCode.ERROR_CODE_INTERNAL);
    assertThat(e).hasMessage("channel to uds /tmp/x/ipc.sock failed: java.io.IOException: Connection reset by peer")
        .hasCause(reset);
  }
}
