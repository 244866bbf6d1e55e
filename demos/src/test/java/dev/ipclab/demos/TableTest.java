package dev.ipclab.demos;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TableTest {
  @Test
  void aOneLineHeaderHasNoRuleAndAWrappedOneEndsInOne() {
    Table narrow = Table.of("t", "what", "time (ms)").row("short", 1.5).build();
    assertThat(narrow.render()).doesNotContain("─").hasLineCount(2);

    String wrapped = Table.of("t", "a long header of many words", "another long header").row("x", 1.0).build()
        .render(20);
    assertThat(wrapped.lines().filter(l -> l.contains("─")).count()).isEqualTo(1);
    assertThat(wrapped.lines().toList().getLast()).contains("x");
  }
}
