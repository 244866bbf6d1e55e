package dev.ipclab.transport.shm;

import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.transport.ProtocolException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One single-producer/single-consumer byte ring in shared memory: one direction of an {@code shm} channel.
 *
 * <p>It carries a byte stream, exactly like a pipe: frames go in as the same varint-prefixed bytes as on every
 * transport, and a frame larger than the free space (or than the whole ring) is simply written in pieces as the
 * consumer frees room, so no frame size is special here; only the reader's frame limit applies. Each counter is
 * a 64-bit count of bytes ever written or read, so it never wraps in practice and {@code tail - head} is always
 * the number of unread bytes.
 *
 * <pre>
 * control block (each field alone on a 64-byte cache line, so producer and consumer never false-share):
 *   +0    head            bytes consumed   (written by the consumer, release; read by the producer, acquire)
 *   +64   tail            bytes produced   (written by the producer, volatile; read by the consumer, volatile)
 *   +128  reader_sleeping 1 while the consumer is about to block on its doorbell
 *   +192  writer_closed   1 once the producer will write no more (end of stream after the unread bytes)
 *   +256  reader_closed   1 once the consumer will read no more (a blocked producer gives up)
 * data: capacity bytes, a power of two; byte i of the stream lives at data[i &amp; (capacity - 1)]
 * </pre>
 */
final class ShmRing {
  /** Bytes of one control block, a whole number of cache lines. */
  static final long CONTROL_BYTES = 384;

  private static final long HEAD = 0;
  private static final long TAIL = 64;
  private static final long READER_SLEEPING = 128;
  private static final long WRITER_CLOSED = 192;
  private static final long READER_CLOSED = 256;

  // Coordinates (MemorySegment, long offset); the offsets are 8-aligned in a page-aligned mapping.
  private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
  private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

  private final MemorySegment control;
  private final MemorySegment data;
  private final int capacity;
  private final int mask;

  /**
   * @param control {@link #CONTROL_BYTES} bytes, zeroed for a new ring
   * @param data the ring's bytes; its size must be a power of two
   */
  ShmRing(MemorySegment control, MemorySegment data) {
    long size = data.byteSize();
    if (size < 2 || size > (1 << 30) || Long.bitCount(size) != 1) {
      throw new IllegalArgumentException("a ring's data must be a power of two between 2 bytes and 1 GiB, not "
          + size + " bytes");
    }
    this.control = control;
    this.data = data;
    this.capacity = (int) size;
    this.mask = capacity - 1;
  }

  int capacity() {
    return capacity;
  }

  /**
   * Producer only: copies as many of {@code len} bytes as fit and publishes them; 0 when the ring is full.
   *
   * <p>The tail is stored with volatile semantics, not only release: together with the consumer's volatile store
   * of {@code reader_sleeping} before its volatile load of the tail, this is Dekker's pattern, so at least one
   * side sees the other's store (see {@link ShmRingInput} for why no wake-up is lost).
   *
   * @throws ProtocolException if the counters are impossible (see {@link #read})
   */
  int write(byte[] src, int off, int len) throws ProtocolException {
    long tail = (long) LONG.get(control, TAIL); // only this producer writes it
    long head = (long) LONG.getAcquire(control, HEAD); // the consumer is done with bytes before head
    checkCounters(head, tail);
    int free = capacity - (int) (tail - head);
    int n = Math.min(len, free);
    if (n <= 0) {
      return 0;
    }
    int index = (int) tail & mask;
    int first = Math.min(n, capacity - index);
    MemorySegment.copy(src, off, data, ValueLayout.JAVA_BYTE, index, first);
    if (n > first) { // wrap around to the start of the data
      MemorySegment.copy(src, off + first, data, ValueLayout.JAVA_BYTE, 0, n - first);
    }
    LONG.setVolatile(control, TAIL, tail + n);
    return n;
  }

  /**
   * Consumer only: copies up to {@code len} unread bytes into {@code dst} and frees them; 0 when empty.
   *
   * @throws ProtocolException if the counters are impossible, fewer than none or more unread bytes than the ring
   *     holds: the mapped file is shared, so a broken or hostile peer can write anything into the control block,
   *     and copying by such counters would run off the end of the ring's data
   */
  int read(byte[] dst, int off, int len) throws ProtocolException {
    long head = (long) LONG.get(control, HEAD); // only this consumer writes it
    long tail = (long) LONG.getVolatile(control, TAIL); // acquires the bytes before tail
    checkCounters(head, tail);
    int n = (int) Math.min(len, tail - head);
    if (n <= 0) {
      return 0;
    }
    int index = (int) head & mask;
    int first = Math.min(n, capacity - index);
    MemorySegment.copy(data, ValueLayout.JAVA_BYTE, index, dst, off, first);
    if (n > first) {
      MemorySegment.copy(data, ValueLayout.JAVA_BYTE, 0, dst, off + first, n - first);
    }
    LONG.setRelease(control, HEAD, head + n); // the producer may overwrite them only after our copy
    return n;
  }

  /** Both sides keep {@code 0 <= tail - head <= capacity}; anything else was written by someone else. */
  private void checkCounters(long head, long tail) throws ProtocolException {
    long unread = tail - head;
    if (unread < 0 || unread > capacity) {
      throw new ProtocolException(ErrorCode.ERROR_CODE_MALFORMED_FRAME, "the shm ring's counters say " + unread
          + " unread bytes (head " + head + ", tail " + tail + "), but a ring of " + capacity + " bytes holds 0 to "
          + capacity + "; something other than ipclab wrote into the shared file's control block");
    }
  }

  /** Unread bytes, as the consumer sees them now. */
  int available() {
    return (int) ((long) LONG.getVolatile(control, TAIL) - (long) LONG.getVolatile(control, HEAD));
  }

  void readerSleeping(boolean sleeping) {
    INT.setVolatile(control, READER_SLEEPING, sleeping ? 1 : 0);
  }

  /**
   * Producer: whether the consumer is asleep and this caller must ring it, clearing the flag so that a burst of
   * writes rings once (the doorbell pipe then never fills, whatever the consumer does).
   */
  boolean claimWakeUp() {
    return (int) INT.getVolatile(control, READER_SLEEPING) != 0
        && INT.compareAndSet(control, READER_SLEEPING, 1, 0);
  }

  void closeWriter() {
    INT.setVolatile(control, WRITER_CLOSED, 1);
  }

  boolean writerClosed() {
    return (int) INT.getVolatile(control, WRITER_CLOSED) != 0;
  }

  void closeReader() {
    INT.setVolatile(control, READER_CLOSED, 1);
  }

  boolean readerClosed() {
    return (int) INT.getVolatile(control, READER_CLOSED) != 0;
  }
}
