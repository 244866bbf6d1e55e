package dev.ipclab.cli.bench;

import dev.ipclab.cli.bench.echo.BareStreamSink;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The bare-JDK one-way stream, the anchor of the one-way throughput rows: a {@code BufferedOutputStream} over a
 * child's stdin, each message a 4-byte length and the payload, the child ({@link BareStreamSink}) counting them.
 * It goes in chunks like {@link OneWayStream} (about 256 KiB, each closed by a count request; at most two
 * unanswered), and the clock stops at the count that follows the last message.
 */
final class BufferedStreamAnchor {
  private static final int CHUNK_BYTES = 256 * 1024;

  private BufferedStreamAnchor() {}

  /** Streams {@code payloadBytes}-byte messages to a fresh sink for {@code warmup} unmeasured, then {@code measure}. */
  static Anchors.BufferedStream measure(int payloadBytes, Duration warmup, Duration measure)
      throws IOException, InterruptedException {
    Process p = BaselineEcho.spawn("pipe", "count", true);
    try {
      OutputStream out = new BufferedOutputStream(p.getOutputStream(), 1 << 16);
      DataInputStream in = new DataInputStream(p.getInputStream());
      byte[] payload = new byte[payloadBytes];
      new java.util.Random(payloadBytes).nextBytes(payload);
      byte[] message = ByteBuffer.allocate(4 + payloadBytes).putInt(payloadBytes).put(payload).array();
      stream(out, in, message, warmup, 0);
      long before = count(out, in);
      long start = System.nanoTime();
      long sent = stream(out, in, message, measure, before);
      double seconds = (System.nanoTime() - start) / 1e9;
      return new Anchors.BufferedStream(payloadBytes, sent, Math.round(sent / seconds),
          Math.round(sent * (double) payloadBytes / seconds / 1e5) / 10.0);
    } finally {
      try {
        p.getOutputStream().close(); // end of stream: the sink exits
      } catch (IOException e) {
        // the sink is gone already; the wait below reaps it
      }
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  /** Streams for about {@code duration}; returns the messages sent, checked against the child's count. */
  private static long stream(OutputStream out, DataInputStream in, byte[] message, Duration duration,
      long countBefore) throws IOException {
    int chunk = Math.max(1, Math.min(4096, CHUNK_BYTES / message.length));
    long end = System.nanoTime() + duration.toNanos();
    long sent = 0;
    int unanswered = 0;
    long counted = countBefore;
    do {
      for (int i = 0; i < chunk; i++) {
        out.write(message);
      }
      sent += chunk;
      mark(out);
      if (++unanswered > 2) {
        counted = in.readLong();
        unanswered--;
      }
    } while (System.nanoTime() < end);
    for (; unanswered > 0; unanswered--) {
      counted = in.readLong();
    }
    if (counted - countBefore != sent) {
      throw new IOException("the bare stream sink counted " + (counted - countBefore) + " messages but "
          + sent + " were sent");
    }
    return sent;
  }

  private static long count(OutputStream out, DataInputStream in) throws IOException {
    mark(out);
    return in.readLong();
  }

  private static void mark(OutputStream out) throws IOException {
    out.write(ByteBuffer.allocate(4).putInt(BareStreamSink.MARK).array());
    out.flush();
  }
}
