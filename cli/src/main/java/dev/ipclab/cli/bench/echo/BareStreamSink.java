package dev.ipclab.cli.bench.echo;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * The bare-JDK one-way stream, the child's side: reads frames (a 4-byte big-endian length, then the bytes) from a
 * buffered stdin and counts them; a frame of length {@link #MARK} is not counted but answered with the count so
 * far, 8 bytes on stdout, which tells the parent that everything before it has been read.
 */
public final class BareStreamSink {
  /** The length that asks for the count. */
  public static final int MARK = -1;

  private BareStreamSink() {}

  static void run(InputStream stdin, OutputStream stdout) throws IOException {
    InputStream in = new BufferedInputStream(stdin, 1 << 16);
    byte[] header = new byte[4];
    byte[] skip = new byte[1 << 16];
    long count = 0;
    while (true) {
      if (in.readNBytes(header, 0, 4) < 4) {
        throw new EOFException();
      }
      int length = ByteBuffer.wrap(header).getInt();
      if (length == MARK) {
        stdout.write(ByteBuffer.allocate(8).putLong(count).array());
        stdout.flush();
        continue;
      }
      if (length < 0 || length > (64 << 20)) {
        throw new IOException("expected a frame length of 0 to 64 MiB but read " + length);
      }
      for (int left = length; left > 0; ) {
        int r = in.read(skip, 0, Math.min(left, skip.length));
        if (r < 0) {
          throw new EOFException();
        }
        left -= r;
      }
      count++;
    }
  }
}
