package dev.ipclab.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Percentiles from HdrHistogram, ratios to the baseline, nearest ranks and CPU lists. */
class PercentilesTest {

  @Test
  void percentilesOfOneToAThousandMicroseconds() {
    Histogram nanos = Percentiles.newNanosHistogram();
    for (int us = 1; us <= 1000; us++) {
      Percentiles.record(nanos, us * 1000L);
    }
    Percentiles p = Percentiles.of(nanos);
    // 3 significant digits: within 0.1% (plus the 0.1 us rounding) of the exact ranks
    assertThat(p.p50()).isCloseTo(500, within(0.6));
    assertThat(p.p90()).isCloseTo(900, within(1.0));
    assertThat(p.p99()).isCloseTo(990, within(1.1));
    assertThat(p.p999()).isCloseTo(999, within(1.1));
    assertThat(p.p50()).isLessThan(p.p90());
    assertThat(p.p90()).isLessThan(p.p99());
    assertThat(p.p99()).isLessThan(p.p999());
  }

  @Test
  void roundsToATenthOfAMicrosecond() {
    Histogram nanos = Percentiles.newNanosHistogram();
    Percentiles.record(nanos, 12_040); // its bucket's highest equivalent value is 12,047 ns
    assertThat(Percentiles.of(nanos).p50()).isEqualTo(12.0);
  }

  @Test
  void clampsOutliersIntoTheRangeInsteadOfThrowing() {
    Histogram nanos = Percentiles.newNanosHistogram();
    Percentiles.record(nanos, 0);
    Percentiles.record(nanos, Long.MAX_VALUE);
    assertThat(nanos.getTotalCount()).isEqualTo(2);
    assertThat(Percentiles.of(nanos).p999()).isCloseTo(60_000_000, within(60_000.0));
  }

  @Test
  void refusesAnEmptyHistogram() {
    assertThatThrownBy(() -> Percentiles.of(Percentiles.newNanosHistogram()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no round trips");
  }

  @Test
  void ratioIsToTheBaselineMedianAndNullWithoutOne() {
    Percentiles baseline = new Percentiles(40, 50, 60, 70);
    assertThat(Percentiles.ratio(46, baseline)).isEqualTo(1.15);
    assertThat(Percentiles.ratio(46, null)).isNull();
    assertThat(Percentiles.ratio(46, new Percentiles(0, 0, 0, 0))).isNull();
  }

  @Test
  void nearestRankReturnsAMeasuredValue() {
    java.util.List<Double> ms = java.util.List.of(50.0, 10.0, 40.0, 20.0, 30.0);
    assertThat(BenchRunner.nearestRank(ms, 50)).isEqualTo(30.0);
    assertThat(BenchRunner.nearestRank(ms, 99)).isEqualTo(50.0);
    assertThat(BenchRunner.nearestRank(ms, 0)).isEqualTo(10.0);
    assertThat(BenchRunner.nearestRank(java.util.List.of(7.0), 99)).isEqualTo(7.0);
  }

  @Test
  void parsesKernelCpuLists() {
    assertThat(MachineFacts.parseCpuList("0-1")).containsExactly(0, 1);
    assertThat(MachineFacts.parseCpuList("0,2-3,7")).containsExactly(0, 2, 3, 7);
    assertThat(MachineFacts.parseCpuList("0")).containsExactly(0);
  }
}
