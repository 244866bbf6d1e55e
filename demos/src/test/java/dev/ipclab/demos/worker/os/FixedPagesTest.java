package dev.ipclab.demos.worker.os;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** mmap(MAP_FIXED_NOREPLACE) in this test JVM: the page lands where asked, and a second map there is refused. */
@Timeout(30)
class FixedPagesTest {
  // Not one of the demo's candidates, so a demo in the same JVM could not collide with it.
  private static final long ADDRESS = 0x7e1600000000L;

  @Test
  void mapsAtTheAddressRefusesToReplaceItAndUnmapsOnlyItsOwn() throws IOException {
    FixedPages.Outcome first = FixedPages.map(ADDRESS, 4096);
    try {
      assertThat(first.mapped()).as(first.error()).isTrue();
      assertThat(first.returned()).isEqualTo(ADDRESS);
      FixedPages.segment(ADDRESS).set(JAVA_LONG, 0, 4242L);
      assertThat(FixedPages.segment(ADDRESS).get(JAVA_LONG, 0)).isEqualTo(4242L);
      assertThat(mapsLines()).anyMatch(l -> l.startsWith("7e1600000000-7e1600001000 rw-p "));

      FixedPages.Outcome second = FixedPages.map(ADDRESS, 4096);
      assertThat(second.mapped()).isFalse();
      assertThat(second.errno()).as("EEXIST").isEqualTo(17);
      assertThat(second.error()).startsWith("EEXIST (errno 17)");
      assertThat(FixedPages.segment(ADDRESS).get(JAVA_LONG, 0)).as("the first page is untouched").isEqualTo(4242L);
    } finally {
      assertThat(FixedPages.unmap(ADDRESS)).isTrue();
    }
    assertThat(mapsLines()).noneMatch(l -> l.startsWith("7e1600000000-"));
    assertThat(FixedPages.unmap(ADDRESS)).as("not ours any more").isFalse();
    assertThatThrownBy(() -> FixedPages.segment(ADDRESS)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0x7e1600000000 was not mapped by this worker");
  }

  @Test
  void unalignedAddressIsRejectedBeforeAnySyscall() {
    assertThatThrownBy(() -> FixedPages.map(ADDRESS + 8, 4096)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("multiples of 4096");
    assertThatThrownBy(() -> FixedPages.map(ADDRESS, 100)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void errnoNames() {
    assertThat(FixedPages.errnoName(17)).isEqualTo("EEXIST");
    assertThat(FixedPages.errnoName(12)).isEqualTo("ENOMEM");
    assertThat(FixedPages.errnoName(999)).isEqualTo("unexpected error");
  }

  private static List<String> mapsLines() throws IOException {
    return Files.readAllLines(Path.of("/proc/self/maps"));
  }
}
