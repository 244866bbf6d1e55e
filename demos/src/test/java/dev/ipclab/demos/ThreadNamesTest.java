package dev.ipclab.demos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ThreadNamesTest {

  @Test
  void foldsANumberedRunAndKeepsTheRest() {
    assertThat(ThreadNames.compact(List.of("page-get-1", "page-get-4", "page-get-3", "page-get-2", "page-file")))
        .isEqualTo("page-get-1…4 page-file");
  }

  @Test
  void keepsShortOrBrokenRunsWhole() {
    assertThat(ThreadNames.compact(List.of("page-loop-3-1", "page-file"))).isEqualTo("page-loop-3-1 page-file");
    assertThat(ThreadNames.compact(List.of("w-1", "w-3", "w-4"))).isEqualTo("w-1 w-3 w-4");
    assertThat(ThreadNames.compact(List.of())).isEqualTo("none");
  }
}
