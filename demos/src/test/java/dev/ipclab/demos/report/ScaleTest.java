package dev.ipclab.demos.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Scales map their domain's ends onto their range's ends, and tick where a reader expects. */
class ScaleTest {

  @Test
  void linearMapsDomainEndsToRangeEnds() {
    LinearScale s = new LinearScale(10, 110, 200, 1000);
    assertThat(s.map(10)).isEqualTo(200.0);
    assertThat(s.map(110)).isEqualTo(1000.0);
    assertThat(s.map(60)).isEqualTo(600.0);
  }

  @Test
  void linearTicksAreRoundAndInsideTheDomain() {
    assertThat(LinearScale.fromZero(1548.9, 0, 100).ticks()).containsExactly(0.0, 500.0, 1000.0, 1500.0);
    assertThat(LinearScale.fromZero(12, 0, 100).ticks()).containsExactly(0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0);
    assertThat(LinearScale.fromZero(0, 0, 100).ticks()).first().isEqualTo(0.0);
  }

  @Test
  void logEnclosesTheDataInWholeDecadesWithATickEach() {
    LogScale s = LogScale.decades(16.7, 1_634_079, 220, 1070);
    assertThat(s.d0()).isEqualTo(10.0);
    assertThat(s.d1()).isEqualTo(10_000_000.0, within(1e-6));
    assertThat(s.ticks()).hasSize(7).first().isEqualTo(10.0);
    assertThat(s.map(10)).isEqualTo(220.0, within(1e-9));
    assertThat(s.map(10_000_000)).isEqualTo(1070.0, within(1e-9));
    // Each decade takes the same width.
    assertThat(s.map(1000) - s.map(100)).isEqualTo(s.map(100) - s.map(10), within(1e-9));
  }

  @Test
  void logOfOneDecadeValueStillHasTwoEnds() {
    LogScale s = LogScale.decades(100, 100, 0, 10);
    assertThat(s.d0()).isEqualTo(100.0);
    assertThat(s.d1()).isEqualTo(1000.0, within(1e-9));
  }

  @Test
  void badDomainsAreRefused() {
    assertThatThrownBy(() -> new LogScale(0, 10, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LinearScale(5, 5, 0, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tickLabelsAreShort() {
    assertThat(Ticks.format(1000)).isEqualTo("1000");
    assertThat(Ticks.format(0.25)).isEqualTo("0.25");
  }
}
