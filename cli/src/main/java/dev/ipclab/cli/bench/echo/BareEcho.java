package dev.ipclab.cli.bench.echo;

import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The bare-JDK echo child of {@code ipclab bench}'s baseline: reads a 4-byte big-endian length and that many bytes,
 * writes them back the same way, until end of stream. Plain JDK only (no Netty, no protobuf, no logging), so a
 * round trip through it is what the OS channel and the JVM cost, and ipclab's overhead is measured against it.
 *
 * <pre>
 *   java -cp ipclab-worker.jar dev.ipclab.cli.bench.echo.BareEcho pipe block
 *   java -cp ipclab-worker.jar dev.ipclab.cli.bench.echo.BareEcho tcp:127.0.0.1:40123 spin
 *   java -cp ipclab-worker.jar dev.ipclab.cli.bench.echo.BareEcho uds:/tmp/ipclab-bench-1/echo.sock block
 *   java -cp ipclab-worker.jar dev.ipclab.cli.bench.echo.BareEcho shm:/dev/shm/ipclab-bench-1-echo.shm spin
 *   java -cp ipclab-worker.jar dev.ipclab.cli.bench.echo.BareEcho pipe count
 * </pre>
 *
 * <p>{@code shm:FILE spin} is {@link BareShmEcho}, a spin echo over a mapped file; {@code pipe count} is
 * {@link BareStreamSink}, the reading end of a one-way stream that counts frames.
 *
 * <p>{@code spin} polls without blocking (FIONREAD on the pipe, a non-blocking channel on sockets), as ipclab's
 * spin idle mode does, so the two compare like with like. After {@link #SPIN_NANOS} without a byte it blocks
 * in read(2) until the next one: an echo idle between measurements must not keep a core busy (on two cores that
 * would starve the very runs it is compared with), and only a read sees the end of a pipe. Exit status 0 at end
 * of stream, 1 on an error (on stderr; stdout is the channel on a pipe).
 */
public final class BareEcho {
  /** How long a spinning reader polls before it blocks; far longer than a round trip's gap in a measurement. */
  public static final long SPIN_NANOS = 1_000_000;

  private BareEcho() {}

  public static void main(String[] args) {
    if (args.length != 2 || !(args[1].equals("block") || args[1].equals("spin") || args[1].equals("count"))) {
      System.err.println("usage: BareEcho pipe|tcp:HOST:PORT|uds:PATH|shm:FILE block|spin, or BareEcho pipe count;"
          + " got " + String.join(" ", args));
      System.exit(2);
    }
    boolean spin = args[1].equals("spin");
    try {
      if (args[1].equals("count")) {
        BareStreamSink.run(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out));
      } else if (args[0].startsWith("shm:")) {
        BareShmEcho.run(java.nio.file.Path.of(args[0].substring(4)), spin);
      } else if (args[0].equals("pipe")) {
        // Unbuffered stdout: one write(2) per reply. stdin buffered: one read(2) usually holds a whole frame.
        pipe(new java.io.BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16),
            new FileOutputStream(FileDescriptor.out), spin);
      } else {
        try (SocketChannel channel = SocketChannel.open(address(args[0]))) {
          if (args[0].startsWith("tcp:")) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
          }
          socket(channel, spin);
        }
      }
      System.exit(0);
    } catch (EOFException e) {
      System.exit(0); // the parent closed its end: the run is over
    } catch (IOException | RuntimeException e) {
      System.err.println("BareEcho " + args[0] + " " + args[1] + " pid " + ProcessHandle.current().pid()
          + " failed: " + e);
      System.exit(1);
    }
  }

  private static java.net.SocketAddress address(String spec) {
    if (spec.startsWith("uds:")) {
      return UnixDomainSocketAddress.of(spec.substring(4));
    }
    if (spec.startsWith("tcp:")) {
      int colon = spec.lastIndexOf(':');
      return new InetSocketAddress(spec.substring(4, colon), Integer.parseInt(spec.substring(colon + 1)));
    }
    throw new IllegalArgumentException("expected pipe, tcp:HOST:PORT or uds:PATH but got '" + spec + "'");
  }

  private static void pipe(InputStream in, OutputStream out, boolean spin) throws IOException {
    byte[] frame = new byte[4 + 1024];
    while (true) {
      read(in, frame, 0, 4, spin);
      int length = ((frame[0] & 0xff) << 24) | ((frame[1] & 0xff) << 16) | ((frame[2] & 0xff) << 8) | (frame[3] & 0xff);
      if (length < 0 || length > (64 << 20)) {
        throw new IOException("expected a frame length of 0 to 64 MiB but read " + length);
      }
      if (frame.length < 4 + length) {
        byte[] bigger = new byte[4 + length];
        System.arraycopy(frame, 0, bigger, 0, 4);
        frame = bigger;
      }
      read(in, frame, 4, length, spin);
      out.write(frame, 0, 4 + length); // the same length prefix goes back
    }
  }

  /** Reads exactly {@code n} bytes; when spinning, only what is already there, so it never sleeps in read(2). */
  private static void read(InputStream in, byte[] into, int offset, int n, boolean spin) throws IOException {
    int done = 0;
    long idleSince = 0;
    while (done < n) {
      int want = n - done;
      if (spin) {
        int available = in.available();
        if (available > 0) {
          want = Math.min(want, available);
        } else {
          long now = System.nanoTime();
          idleSince = idleSince == 0 ? now : idleSince;
          if (now - idleSince < SPIN_NANOS) {
            Thread.onSpinWait();
            continue;
          }
          // spun long enough: sleep in read(2) for the next byte, or the end of the stream
        }
      }
      idleSince = 0;
      int r = in.read(into, offset + done, want);
      if (r < 0) {
        throw new EOFException();
      }
      done += r;
    }
  }

  private static void socket(SocketChannel channel, boolean spin) throws IOException {
    channel.configureBlocking(!spin);
    ByteBuffer frame = ByteBuffer.allocateDirect(4 + 1024);
    while (true) {
      frame.clear().limit(4);
      fill(channel, frame);
      int length = frame.getInt(0);
      if (length < 0 || length > (64 << 20)) {
        throw new IOException("expected a frame length of 0 to 64 MiB but read " + length);
      }
      if (frame.capacity() < 4 + length) {
        ByteBuffer bigger = ByteBuffer.allocateDirect(4 + length);
        bigger.putInt(0, length);
        frame = bigger;
      }
      frame.limit(4 + length).position(4);
      fill(channel, frame);
      frame.flip();
      while (frame.hasRemaining()) {
        if (channel.write(frame) == 0) {
          Thread.onSpinWait(); // only a non-blocking channel writes nothing: the peer's buffer is full
        }
      }
    }
  }

  private static void fill(SocketChannel channel, ByteBuffer into) throws IOException {
    long idleSince = 0;
    while (into.hasRemaining()) {
      int r = channel.read(into);
      if (r < 0) {
        throw new EOFException();
      }
      if (r > 0) {
        idleSince = 0;
      } else {
        long now = System.nanoTime();
        idleSince = idleSince == 0 ? now : idleSince;
        if (now - idleSince < SPIN_NANOS) {
          Thread.onSpinWait();
        } else {
          // spun long enough: sleep in read(2) until something arrives, then poll again
          channel.configureBlocking(true);
          int b = channel.read(into);
          channel.configureBlocking(false);
          if (b < 0) {
            throw new EOFException();
          }
          idleSince = 0;
        }
      }
    }
  }
}
