package dev.ipclab.demos.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.demos.proto.v1.CpuSegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Segments close on a change of CPU and on a gap in the samples, and nowhere else. */
class CpuSegmentsTest {
  private static CpuSegment seg(int cpu, long start, long end) {
    return CpuSegment.newBuilder().setCpu(cpu).setStartNanos(start).setEndNanos(end).build();
  }

  @Test
  void aChangeOfCpuClosesTheSegmentAtTheLastSampleBeforeIt() {
    CpuSegments s = new CpuSegments();
    s.sample(2, 100);
    s.sample(2, 200);
    s.sample(2, 300);
    s.sample(0, 400);
    s.sample(0, 500);
    s.finish();
    assertThat(s.segments()).containsExactly(seg(2, 100, 300), seg(0, 400, 500));
    assertThat(s.cpus()).containsExactly(2, 0);
  }

  @Test
  void aLongIntervalOnTheSameCpuIsTimeOffIt() {
    CpuSegments s = new CpuSegments();
    s.sample(1, 0);
    s.sample(1, 100);
    s.sample(1, 5000); // descheduled for most of these 4.9 µs
    s.sample(1, 5100);
    s.finish();
    assertThat(s.segments()).containsExactly(seg(1, 0, 100), seg(1, 5000, 5100));
    assertThat(s.cpus()).isEqualTo(List.of(1));
  }
}
