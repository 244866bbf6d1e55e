package dev.ipclab.parent.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ipclab.parent.FuzzLimits;
import dev.ipclab.proto.v1.ControlRequest;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing (Jazzer) of the control socket's framing: what a stranger connecting to the control socket
 * can send the parent. It must read exactly the frames of the framing every ipclab transport uses (a varint32 of at
 * most five bytes, the length checked against the cap before the body is read) and fail only with an
 * {@link IOException}: the cap refusal, an {@link EOFException} for a cut frame, or
 * {@link InvalidProtocolBufferException} for a bad prefix or body.
 *
 * <pre>
 * input:  +--------+------------------------------+
 *         | how    | what the client sent         |
 *         +--------+------------------------------+
 * how:    bits 0-5 read size in bytes, 1..63 (0x3f: all of it in one read)
 * </pre>
 *
 * <p>The thread's allocation stays linear in the bytes that arrived, whatever length a prefix announced. Regression
 * runs replay {@code ControlFramingJazzerTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes (docs/security.md).
 */
class ControlFramingJazzerTest {
  private static final int CAP = 1024;
  private static final long FIXED_ALLOCATION = 256 * 1024;
  /** At worst a read, an empty frame and its message per input byte. */
  private static final long ALLOCATION_PER_BYTE = 1024;

  @FuzzTest(maxDuration = "2m")
  void readsLikeTheModel(byte[] input) throws Exception {
    if (input.length == 0) {
      return;
    }
    int readSize = (input[0] & 0x3f) == 0x3f ? Integer.MAX_VALUE : (input[0] & 0x3f) + 1;
    FuzzLimits.Measured<Run> measured = FuzzLimits.run(() -> read(input, readSize));
    Run run = measured.value();

    Model model = Model.decode(input, CAP);
    List<ControlRequest> expected = new ArrayList<>();
    Class<?> expectedFailure = model.failure;
    boolean badBody = false;
    for (byte[] body : model.frames) {
      try {
        expected.add(ControlRequest.parseFrom(body));
      } catch (InvalidProtocolBufferException e) {
        expectedFailure = InvalidProtocolBufferException.class;
        badBody = true;
        break;
      }
    }
    assertThat(run.requests).as("requests read").isEqualTo(expected);
    if (expectedFailure == null) {
      assertThat(run.failure).as("failure after a clean end").isNull();
    } else {
      assertThat(run.failure).as("failure (model: %s)", expectedFailure.getSimpleName())
          .isInstanceOf(expectedFailure);
      if (!badBody) { // a body that does not parse is protobuf's message, sent back to that very client
        assertThat(run.failure).hasMessageContaining("fuzz client");
      }
    }
    if (model.announced > CAP && !badBody) {
      assertThat(run.failure.getMessage()).contains(Long.toString(model.announced)).contains("exceeds the limit");
    }
    assertThat(measured.allocatedBytes()).as("bytes the reading thread allocated for %d input bytes", input.length)
        .isLessThanOrEqualTo(FIXED_ALLOCATION + ALLOCATION_PER_BYTE * input.length);
  }

  private record Run(List<ControlRequest> requests, IOException failure) {}

  private static Run read(byte[] input, int readSize) {
    InputStream in = new InputStream() {
      private int at = 1;

      @Override
      public int read() {
        return at < input.length ? input[at++] & 0xff : -1;
      }

      @Override
      public int read(byte[] dst, int off, int len) {
        if (len == 0) {
          return 0;
        }
        if (at == input.length) {
          return -1;
        }
        int n = Math.min(Math.min(len, readSize), input.length - at);
        System.arraycopy(input, at, dst, off, n);
        at += n;
        return n;
      }
    };
    List<ControlRequest> requests = new ArrayList<>();
    try {
      for (int i = 0; i <= input.length; i++) { // each frame takes at least one byte
        ControlRequest request = ControlFraming.read(in, ControlRequest.parser(), CAP, "fuzz client");
        if (request == null) {
          return new Run(requests, null);
        }
        requests.add(request);
      }
      throw new AssertionError("more frames than input bytes");
    } catch (IOException e) {
      return new Run(requests, e);
    }
  }

  /**
   * The framing of {@code dev.ipclab.transport.frame.Frames}, decoded plainly: whole frames, then how the stream ends
   * (ipc-transport's FrameModel, which this module cannot see, with the exception each ending must raise here).
   */
  private record Model(List<byte[]> frames, Class<? extends IOException> failure, long announced) {
    static Model decode(byte[] stream, int cap) {
      List<byte[]> frames = new ArrayList<>();
      int at = 1;
      while (at < stream.length) {
        long length = 0;
        int p = at;
        for (int i = 0; ; i++) {
          if (p == stream.length) {
            return new Model(frames, InvalidProtocolBufferException.class, 0); // cut inside the prefix
          }
          if (i == 5) {
            return new Model(frames, InvalidProtocolBufferException.class, 0); // not a varint32
          }
          int b = stream[p++] & 0xff;
          length |= (long) (b & 0x7f) << (7 * i);
          if (b < 0x80) {
            break;
          }
        }
        if (length > cap) {
          return new Model(frames, IOException.class, length);
        }
        if (stream.length - p < length) {
          return new Model(frames, EOFException.class, 0);
        }
        frames.add(Arrays.copyOfRange(stream, p, p + (int) length));
        at = p + (int) length;
      }
      return new Model(frames, null, 0);
    }
  }
}
