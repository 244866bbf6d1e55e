package dev.ipclab.transport.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.ProtocolException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared-memory ring: wrap-around, a full ring, and streams larger than the ring. */
class ShmRingTest {

  private static ShmRing ring(int capacity) {
    Arena arena = Arena.ofAuto();
    return new ShmRing(arena.allocate(ShmRing.CONTROL_BYTES, 64), arena.allocate(capacity, 64));
  }

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void bytesThatWrapAroundTheEndComeOutIntactAndInOrder() throws ProtocolException {
    ShmRing ring = ring(64);
    byte[] first = bytes(40, 1);
    assertThat(ring.write(first, 0, 40)).isEqualTo(40);
    byte[] out = new byte[40];
    assertThat(ring.read(out, 0, 40)).isEqualTo(40);
    assertThat(out).isEqualTo(first);

    byte[] second = bytes(50, 2); // starts at 40: 24 bytes to the end, 26 from the start
    assertThat(ring.write(second, 0, 50)).isEqualTo(50);
    assertThat(ring.available()).isEqualTo(50);
    byte[] back = new byte[50];
    assertThat(ring.read(back, 0, 50)).isEqualTo(50);
    assertThat(back).isEqualTo(second);
    assertThat(ring.available()).isZero();
  }

  @Test
  void aFullRingTakesNothingMoreUntilTheReaderFreesRoom() throws ProtocolException {
    ShmRing ring = ring(64);
    byte[] data = bytes(100, 3);
    assertThat(ring.write(data, 0, 100)).as("only what fits is taken").isEqualTo(64);
    assertThat(ring.write(data, 64, 36)).as("a full ring").isZero();
    byte[] out = new byte[100];
    assertThat(ring.read(out, 0, 10)).isEqualTo(10);
    assertThat(ring.write(data, 64, 36)).as("room for ten").isEqualTo(10);
    assertThat(ring.read(out, 10, 100)).isEqualTo(64);
    assertThat(ring.read(out, 74, 10)).as("an empty ring").isZero();
    assertThat(Arrays.copyOf(out, 74)).isEqualTo(Arrays.copyOf(data, 74));
  }

  @Test
  void theWakeUpFlagIsClaimedByOneRingOnly() {
    ShmRing ring = ring(64);
    assertThat(ring.claimWakeUp()).as("nobody sleeps").isFalse();
    ring.readerSleeping(true);
    assertThat(ring.claimWakeUp()).isTrue();
    assertThat(ring.claimWakeUp()).as("already rung").isFalse();
  }

  @Test
  void capacityMustBeAPowerOfTwo() {
    Arena arena = Arena.ofAuto();
    assertThatThrownBy(() -> new ShmRing(arena.allocate(ShmRing.CONTROL_BYTES), arena.allocate(100)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
  }

  /**
   * Design choice: the ring is a byte stream, so a frame larger than half the ring, or than all of it, is not
   * rejected but written in pieces as the reader frees room, just as on a pipe.
   */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aStreamManyTimesTheRingsSizeCrossesItInPiecesWithBlockingEnds() throws Exception {
    ShmRing ring = ring(256);
    java.nio.channels.Pipe doorbell = java.nio.channels.Pipe.open();
    ShmRingInput in = new ShmRingInput(ring, IdleStrategy.BLOCK,
        java.nio.channels.Channels.newInputStream(doorbell.source()), "test writer", "shm-ring-test");
    ShmRingOutput out = new ShmRingOutput(ring,
        java.nio.channels.Channels.newOutputStream(doorbell.sink()), in::peerGone, "test reader");
    byte[] data = bytes(100_000, 4); // about 390 times the ring
    Thread writer = Thread.ofPlatform().start(() -> {
      try {
        for (int off = 0; off < data.length; off += 1000) {
          out.write(data, off, Math.min(1000, data.length - off));
        }
        out.close();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    byte[] received = in.readAllBytes(); // ends at the writer's close: end of stream
    writer.join();
    assertThat(received).isEqualTo(data);
    in.close();
  }

  /**
   * Ping-pong of single bytes between two blocking readers: every round trip makes each reader go to sleep and be
   * rung awake, so a lost wake-up (the race in {@link ShmRingInput}'s comment) would hang here until the timeout.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void twentyThousandBlockingRoundTripsLoseNoWakeUp() throws Exception {
    ShmRing ping = ring(64);
    ShmRing pong = ring(64);
    java.nio.channels.Pipe pingBell = java.nio.channels.Pipe.open();
    java.nio.channels.Pipe pongBell = java.nio.channels.Pipe.open();
    ShmRingInput echoIn = new ShmRingInput(ping, IdleStrategy.BLOCK,
        java.nio.channels.Channels.newInputStream(pingBell.source()), "pinger", "shm-ring-test-echo");
    ShmRingInput pingerIn = new ShmRingInput(pong, IdleStrategy.BLOCK,
        java.nio.channels.Channels.newInputStream(pongBell.source()), "echo", "shm-ring-test-pinger");
    ShmRingOutput pingerOut = new ShmRingOutput(ping,
        java.nio.channels.Channels.newOutputStream(pingBell.sink()), pingerIn::peerGone, "echo");
    ShmRingOutput echoOut = new ShmRingOutput(pong,
        java.nio.channels.Channels.newOutputStream(pongBell.sink()), echoIn::peerGone, "pinger");
    int rounds = 20_000;
    Thread echo = Thread.ofPlatform().start(() -> {
      try {
        for (int b; (b = echoIn.read()) >= 0; ) {
          echoOut.write(b);
        }
        echoOut.close();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    for (int i = 0; i < rounds; i++) {
      pingerOut.write(i & 0xff);
      assertThat(pingerIn.read()).isEqualTo(i & 0xff);
    }
    pingerOut.close();
    assertThat(pingerIn.read()).as("end of stream after the echo closes").isEqualTo(-1);
    echo.join();
  }
}
