package dev.ipclab.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipclab.worker.Faults.Kind;
import org.junit.jupiter.api.Test;

/** The test-fault spec a worker reads from -Dipclab.fault or IPCLAB_FAULT. */
class FaultsTest {

  @Test
  void noSpecMeansNoFault() {
    assertThat(Faults.parse(null)).isSameAs(Faults.NONE);
    assertThat(Faults.parse("")).isSameAs(Faults.NONE);
    assertThat(Faults.parse("  ")).isSameAs(Faults.NONE);
    assertThat(Faults.NONE.is(Kind.NONE)).isTrue();
  }

  @Test
  void parsesEveryKindWithItsCount() {
    assertThat(Faults.parse("garbage-after:3")).isEqualTo(new Faults(Kind.GARBAGE_AFTER, 3));
    assertThat(Faults.parse("huge-frame-after:0")).isEqualTo(new Faults(Kind.HUGE_FRAME_AFTER, 0));
    assertThat(Faults.parse("stdout-after:10")).isEqualTo(new Faults(Kind.STDOUT_AFTER, 10));
    assertThat(Faults.parse("exit-after:5")).isEqualTo(new Faults(Kind.EXIT_AFTER, 5));
    assertThat(Faults.parse("hang-after:2")).isEqualTo(new Faults(Kind.HANG_AFTER, 2));
    assertThat(Faults.parse("bad-token")).isEqualTo(new Faults(Kind.BAD_TOKEN, 0));
    assertThat(Faults.parse("protocol-version:99")).isEqualTo(new Faults(Kind.PROTOCOL_VERSION, 99));
    assertThat(Faults.parse("no-hello")).isEqualTo(new Faults(Kind.NO_HELLO, 0));
  }

  @Test
  void kindIsCaseInsensitiveAndSurroundingSpaceIsIgnored() {
    Faults f = Faults.parse("  EXIT-AFTER:7 ");

    assertThat(f.is(Kind.EXIT_AFTER)).isTrue();
    assertThat(f.is(Kind.HANG_AFTER)).isFalse();
    assertThat(f.after()).isEqualTo(7);
  }

  @Test
  void unknownKindIsAnErrorListingEveryValidOne() {
    assertThatThrownBy(() -> Faults.parse("exit-afterr:3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown fault 'exit-afterr:3'; expected one of garbage-after:N, huge-frame-after:N,"
            + " stdout-after:N, exit-after:N, exit-on-task:N, hang-after:N, bad-token, protocol-version:N, no-hello");
  }

  @Test
  void garbageIsALengthPrefixLongerThanAVarint32() {
    byte[] garbage = Faults.garbage();

    for (int i = 0; i < 6; i++) {
      assertThat(garbage[i] & 0x80).as("continuation bit of byte %d", i).isNotZero();
    }
  }

  @Test
  void hugeFramePrefixAnnouncesTwoGib() {
    byte[] prefix = Faults.hugeFramePrefix();
    long length = 0;
    int i = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = prefix[i++];
      length |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        break;
      }
    }

    assertThat(i).as("prefix bytes").isEqualTo(5);
    assertThat(length).isEqualTo(1L << 31);
    assertThat(prefix.length).as("a few body bytes that never complete the frame").isGreaterThan(i);
  }
}
