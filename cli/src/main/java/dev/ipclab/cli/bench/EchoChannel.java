package dev.ipclab.cli.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * The parent's end of a bare-JDK echo: one frame (4-byte big-endian length, then the payload) out, the same frame
 * back, on the caller's thread. Blocking reads sleep in the kernel; spinning ones poll, and block only after
 * {@link #SPIN_NANOS} without a byte, exactly as the echo child does.
 */
sealed interface EchoChannel extends AutoCloseable
    permits EchoChannel.Streams, EchoChannel.Socket, ShmEchoChannel {
  /** The same as the echo child's {@code BareEcho.SPIN_NANOS}. */
  long SPIN_NANOS = 1_000_000;

  /** Builds the frame for {@code payload}, once, before the loop. */
  void prepare(byte[] payload);

  /** Writes the frame and reads the whole echo. */
  void roundTrip() throws IOException;

  /** Whether the last echo equals the frame sent. */
  boolean echoedIntact();

  @Override
  void close() throws IOException;

  /** Over a child's stdin and stdout (pipes). */
  final class Streams implements EchoChannel {
    private final InputStream in;
    private final OutputStream out;
    private final boolean spin;
    private byte[] frame = new byte[4];
    private byte[] echo = new byte[4];

    Streams(InputStream in, OutputStream out, boolean spin) {
      this.in = in;
      this.out = out;
      this.spin = spin;
    }

    @Override
    public void prepare(byte[] payload) {
      frame = ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
      echo = new byte[frame.length];
    }

    @Override
    public void roundTrip() throws IOException {
      out.write(frame);
      out.flush();
      int done = 0;
      long idleSince = 0;
      while (done < echo.length) {
        int want = echo.length - done;
        if (spin) {
          int available = in.available(); // FIONREAD: never sleeps
          if (available > 0) {
            want = Math.min(want, available);
          } else {
            long now = System.nanoTime();
            idleSince = idleSince == 0 ? now : idleSince;
            if (now - idleSince < SPIN_NANOS) {
              Thread.onSpinWait();
              continue;
            }
          }
        }
        idleSince = 0;
        int r = in.read(echo, done, want);
        if (r < 0) {
          throw new EOFException("the bare-JDK echo closed its stdout mid-frame");
        }
        done += r;
      }
    }

    @Override
    public boolean echoedIntact() {
      return Arrays.equals(frame, echo);
    }

    @Override
    public void close() throws IOException {
      out.close(); // end of stream: the echo exits
      in.close();
    }
  }

  /** Over a TCP or Unix domain socket. */
  final class Socket implements EchoChannel {
    private final SocketChannel channel;
    private ByteBuffer frame = ByteBuffer.allocateDirect(4);
    private ByteBuffer echo = ByteBuffer.allocateDirect(4);

    Socket(SocketChannel channel, boolean spin) throws IOException {
      this.channel = channel;
      channel.configureBlocking(!spin);
    }

    @Override
    public void prepare(byte[] payload) {
      frame = ByteBuffer.allocateDirect(4 + payload.length).putInt(payload.length).put(payload).flip();
      echo = ByteBuffer.allocateDirect(frame.capacity());
    }

    @Override
    public void roundTrip() throws IOException {
      frame.rewind();
      while (frame.hasRemaining()) {
        if (channel.write(frame) == 0) {
          Thread.onSpinWait(); // only a non-blocking channel writes nothing
        }
      }
      echo.clear();
      long idleSince = 0;
      while (echo.hasRemaining()) {
        int r = channel.read(echo);
        if (r < 0) {
          throw new EOFException("the bare-JDK echo closed its socket mid-frame");
        }
        if (r > 0) {
          idleSince = 0;
          continue;
        }
        long now = System.nanoTime();
        idleSince = idleSince == 0 ? now : idleSince;
        if (now - idleSince < SPIN_NANOS) {
          Thread.onSpinWait();
        } else {
          channel.configureBlocking(true); // spun long enough: sleep until something arrives
          int b = channel.read(echo);
          channel.configureBlocking(false);
          if (b < 0) {
            throw new EOFException("the bare-JDK echo closed its socket mid-frame");
          }
          idleSince = 0;
        }
      }
    }

    @Override
    public boolean echoedIntact() {
      return frame.rewind().equals(echo.flip());
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
