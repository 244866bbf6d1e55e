package dev.ipclab.cli.bench;

import dev.ipclab.cli.bench.echo.BareShmEcho;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The parent's end of the bare-JDK shm spin echo ({@link BareShmEcho}): the anchor of the shm spin rows. It writes
 * the payload and its length into the request slot of a file in {@code /dev/shm}, publishes a new sequence number
 * with a release write, and spins on the reply slot's number. The file is created here and deleted on close.
 */
final class ShmEchoChannel implements EchoChannel {
  private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
  /** A reply slower than this is no spin round trip: the echo is gone or starved, and the loop must not hang. */
  private static final long STUCK_NANOS = 30_000_000_000L;

  private final Path file;
  private final MappedByteBuffer shm;
  private final int reply;
  private final ProcessHandle echo;
  private byte[] payload = new byte[0];
  private byte[] echoed = new byte[0];
  private long seq;

  private ShmEchoChannel(Path file, MappedByteBuffer shm, ProcessHandle echo) {
    this.file = file;
    this.shm = shm;
    this.reply = shm.capacity() / 2;
    this.echo = echo;
  }

  /** Creates the file for payloads up to {@code maxPayload} bytes; the echo child maps it once it exists. */
  static Path create(Path file, int maxPayload) throws IOException {
    int half = Math.toIntExact(((BareShmEcho.PAYLOAD_OFFSET + (long) maxPayload + 4095) / 4096) * 4096);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      channel.map(FileChannel.MapMode.READ_WRITE, 0, 2L * half); // sizes the file
    }
    file.toFile().deleteOnExit(); // a bench stopped by Ctrl-C between rows leaves nothing in /dev/shm either
    return file;
  }

  /** Maps {@code file}, made by {@link #create}, as the parent's end of {@code echo}'s round trips. */
  static ShmEchoChannel open(Path file, ProcessHandle echo) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      return new ShmEchoChannel(file, channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size()), echo);
    }
  }

  @Override
  public void prepare(byte[] bytes) {
    if (BareShmEcho.PAYLOAD_OFFSET + bytes.length > reply) {
      throw new IllegalArgumentException("a " + bytes.length + " B payload does not fit the shm echo's slot of "
          + (reply - BareShmEcho.PAYLOAD_OFFSET) + " B");
    }
    payload = bytes.clone();
    echoed = new byte[bytes.length];
  }

  @Override
  public void roundTrip() throws IOException {
    shm.put(BareShmEcho.PAYLOAD_OFFSET, payload);
    shm.putInt(8, payload.length);
    long sent = ++seq;
    LONGS.setRelease(shm, 0, sent);
    long start = System.nanoTime();
    int spins = 0;
    while ((long) LONGS.getAcquire(shm, reply) != sent) {
      Thread.onSpinWait();
      if (++spins % 100_000 == 0 && System.nanoTime() - start > STUCK_NANOS) {
        throw new IOException("the bare-JDK shm echo pid " + echo.pid() + " did not answer within 30 s ("
            + (echo.isAlive() ? "still running" : "it exited") + ")");
      }
    }
    shm.get(reply + BareShmEcho.PAYLOAD_OFFSET, echoed);
  }

  @Override
  public boolean echoedIntact() {
    return shm.getInt(reply + 8) == payload.length && Arrays.equals(payload, echoed);
  }

  /** Tells the echo to exit and deletes the file (the mapping goes with the buffer). */
  @Override
  public void close() throws IOException {
    LONGS.setRelease(shm, 0, BareShmEcho.STOP);
    Files.deleteIfExists(file);
  }
}
