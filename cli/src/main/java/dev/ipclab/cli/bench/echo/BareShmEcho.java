package dev.ipclab.cli.bench.echo;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;

/**
 * The bare-JDK shm spin echo, the child's side: two slots in one mapped file (request in the first half, reply in
 * the second), each a sequence number, a length and the payload. It spins on the request's sequence number, copies
 * the payload into the reply and publishes the same number there. Plain JDK only: a {@link MappedByteBuffer} and
 * acquire/release reads and writes of a {@code long}.
 *
 * <p>Layout of each half of the file: bytes 0-7 the sequence number (a request of -1 means stop), 8-11 the payload
 * length, the payload from byte 64. After {@link BareEcho#SPIN_NANOS} without a request it parks 50 µs at a time,
 * so an echo idle between measurements does not keep a core busy, and exits if its parent is gone.
 */
public final class BareShmEcho {
  /** Where a slot's payload starts; the header has a cache line of its own. */
  public static final int PAYLOAD_OFFSET = 64;
  /** The request's sequence number that tells the echo to exit. */
  public static final long STOP = -1;
  static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

  private BareShmEcho() {}

  static void run(Path file, boolean spin) throws IOException {
    if (!spin) {
      throw new IllegalArgumentException("the shm echo only spins: a blocking one would need a futex the JDK lacks");
    }
    MappedByteBuffer shm;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      shm = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
    }
    int reply = shm.capacity() / 2;
    long last = 0;
    long idleSince = 0;
    long nextParentCheck = 0;
    while (true) {
      long seq = (long) LONGS.getAcquire(shm, 0);
      if (seq == STOP) {
        return;
      }
      if (seq != last) {
        int length = shm.getInt(8);
        shm.put(reply + PAYLOAD_OFFSET, shm, PAYLOAD_OFFSET, length);
        shm.putInt(reply + 8, length);
        LONGS.setRelease(shm, reply, seq);
        last = seq;
        idleSince = 0;
        continue;
      }
      long now = System.nanoTime();
      idleSince = idleSince == 0 ? now : idleSince;
      if (now - idleSince < BareEcho.SPIN_NANOS) {
        Thread.onSpinWait();
        continue;
      }
      LockSupport.parkNanos(50_000);
      if (now > nextParentCheck) {
        nextParentCheck = now + 100_000_000;
        if (ProcessHandle.current().parent().map(p -> !p.isAlive()).orElse(true)) {
          return; // nobody will ever write STOP
        }
      }
    }
  }
}
