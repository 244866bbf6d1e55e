package dev.ipclab.transport;

import static dev.ipclab.transport.BoundedVarint32FrameDecoderTest.bodyOf;
import static dev.ipclab.transport.BoundedVarint32FrameDecoderTest.concat;
import static dev.ipclab.transport.BoundedVarint32FrameDecoderTest.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.transport.frame.Frames;
import dev.ipclab.transport.frame.StreamFrameReader;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The blocking-stream frame reader the pipe transport uses. */
class StreamFrameReaderTest {
  private static final int CAP = 300;

  @Test
  void readsFramesOneAfterAnotherThenNullAtACleanEnd() throws IOException {
    byte[] a = bodyOf(1);
    byte[] b = bodyOf(200);
    StreamFrameReader reader = reader(concat(frame(a), new byte[] {0}, frame(b)));

    assertThat(next(reader)).isEqualTo(a);
    assertThat(next(reader)).isEmpty();
    assertThat(next(reader)).isEqualTo(b);
    assertThat(next(reader)).isNull();
  }

  @Test
  void aLengthPrefixSplitAtTheBuffersEndIsReadWhole() throws IOException {
    // A burst of frames fills the 64 KiB buffer to its end; for one of these paddings a two-byte prefix is cut
    // there, and the reader must move the unread bytes to the start and go on where the prefix was cut.
    byte[] body = bodyOf(200);
    for (int pad = 0; pad <= 202; pad++) {
      byte[][] parts = new byte[401][];
      parts[0] = frame(bodyOf(pad));
      for (int i = 1; i < parts.length; i++) {
        parts[i] = frame(body);
      }
      StreamFrameReader reader = new StreamFrameReader(new ByteArrayInputStream(concat(parts)), 1024, "worker-1");
      assertThat(next(reader)).isEqualTo(bodyOf(pad));
      for (int i = 1; i < parts.length; i++) {
        assertThat(next(reader)).as("frame " + i + " after a first frame of " + pad + " bytes").isEqualTo(body);
      }
      assertThat(next(reader)).isNull();
    }
  }

  @Test
  void readsFramesFromAStreamThatReturnsOneByteAtATime() throws IOException {
    byte[] a = bodyOf(150);
    byte[] b = bodyOf(CAP);
    byte[] wire = concat(frame(a), frame(b));
    StreamFrameReader reader = new StreamFrameReader(new OneByteAtATime(wire), CAP, "worker-1");

    assertThat(next(reader)).isEqualTo(a);
    assertThat(next(reader)).isEqualTo(b);
    assertThat(next(reader)).isNull();
  }

  @Test
  void frameLargerThanTheReadBufferIsReadWholeAndTheFramesAroundItToo() throws IOException {
    byte[] small = bodyOf(10);
    byte[] big = bodyOf(200_000); // over the 64 KiB buffer: it grows for this frame
    byte[] wire = concat(frame(small), frame(big), frame(small));
    StreamFrameReader reader = new StreamFrameReader(new ByteArrayInputStream(wire), 300_000, "worker-1");

    assertThat(next(reader)).isEqualTo(small);
    assertThat(next(reader)).isEqualTo(big);
    assertThat(next(reader)).isEqualTo(small);
    assertThat(next(reader)).isNull();
  }

  @Test
  void framesAreReadInPlaceFromOneBufferFilledByOneRead() throws IOException {
    byte[] wire = concat(frame(bodyOf(5)), frame(bodyOf(7)));
    StreamFrameReader reader = reader(wire);

    assertThat(reader.next()).isTrue();
    byte[] buffer = reader.buffer();
    assertThat(reader.hasWholeFrame()).as("the second frame came in with the first").isTrue();
    assertThat(reader.next()).isTrue();
    assertThat(reader.buffer()).as("the same buffer, no copy").isSameAs(buffer);
    assertThat(reader.bodyOffset()).isEqualTo(1 + 5 + 1);
    assertThat(reader.bodyLength()).isEqualTo(7);
    assertThat(reader.hasWholeFrame()).isFalse();
  }

  @Test
  void endInsideTheLengthPrefixIsAnEofSayingSo() {
    StreamFrameReader reader = reader(new byte[] {(byte) 0x80});

    assertThatThrownBy(() -> next(reader))
        .isExactlyInstanceOf(EOFException.class)
        .hasMessage("stream from worker-1 ended inside a frame's length prefix");
  }

  @Test
  void endInsideTheBodyIsAnEofWithBothByteCounts() {
    StreamFrameReader reader = reader(new byte[] {10, 1, 2, 3});

    assertThatThrownBy(() -> next(reader))
        .isExactlyInstanceOf(EOFException.class)
        .hasMessage("stream from worker-1 ended after 3 of the 10 bytes its frame announced");
  }

  @Test
  void frameOneByteOverTheCapIsRefusedWithoutReadingItsBody() throws IOException {
    byte[] wire = frame(bodyOf(CAP + 1));
    ByteArrayInputStream in = new ByteArrayInputStream(wire);
    StreamFrameReader reader = new StreamFrameReader(in, CAP, "worker-1");

    assertThatThrownBy(() -> next(reader))
        .isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
          assertThat(e.announcedBytes()).isEqualTo(CAP + 1);
          assertThat(e).hasMessageStartingWith("frame from worker-1 announces 301 bytes, over the limit of 300 bytes");
        });
  }

  @Test
  @Timeout(5)
  void twoGibPrefixIsRefusedAfterReadingOnlyABufferful() {
    CountingEndless in = new CountingEndless(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08});
    StreamFrameReader reader = new StreamFrameReader(in, Frames.DEFAULT_MAX_FRAME_BYTES, "worker-1");

    assertThatThrownBy(() -> next(reader))
        .isInstanceOfSatisfying(FrameTooLargeException.class,
            e -> assertThat(e.announcedBytes()).isEqualTo(1L << 31));
    // At most one 64 KiB read-ahead, never an attempt at the 2 GiB body.
    assertThat(in.served).isLessThanOrEqualTo(64 * 1024);
  }

  @Test
  void prefixLongerThanFiveBytesIsAMalformedFramePointingAtStdout() {
    StreamFrameReader reader =
        reader(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 'x'});

    assertThatThrownBy(() -> next(reader))
        .isExactlyInstanceOf(ProtocolException.class)
        .hasMessageContaining("frame from worker-1 starts with a length prefix longer than 5 bytes")
        .hasMessageContaining("for example a print to stdout?")
        .satisfies(e -> assertThat(((ProtocolException) e).code()).isEqualTo(ErrorCode.ERROR_CODE_MALFORMED_FRAME));
  }

  /** The next body, copied, or null at the end: what the transport parses in place. */
  private static byte[] next(StreamFrameReader reader) throws IOException {
    return reader.next() ? reader.bodyCopy() : null;
  }

  private static StreamFrameReader reader(byte[] wire) {
    return new StreamFrameReader(new ByteArrayInputStream(wire), CAP, "worker-1");
  }

  /** Returns at most one byte per read, as a pipe under load may. */
  static final class OneByteAtATime extends InputStream {
    private final byte[] bytes;
    private int at;

    OneByteAtATime(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public int read() {
      return at < bytes.length ? bytes[at++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      int c = read();
      if (c < 0) {
        return -1;
      }
      b[off] = (byte) c;
      return 1;
    }
  }

  /** Serves a prefix, then zeros forever, counting every byte handed out. */
  static final class CountingEndless extends InputStream {
    private final byte[] prefix;
    volatile long served;

    CountingEndless(byte[] prefix) {
      this.prefix = prefix;
    }

    @Override
    public int read() {
      int b = served < prefix.length ? prefix[(int) served] & 0xff : 0;
      served++;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      for (int i = 0; i < len; i++) {
        b[off + i] = (byte) read();
      }
      return len;
    }
  }
}
