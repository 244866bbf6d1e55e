package dev.ipclab.demos.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.demos.proto.v1.CrowdKind;
import dev.ipclab.demos.proto.v1.CrowdStart;
import dev.ipclab.demos.proto.v1.CrowdStarted;
import dev.ipclab.demos.proto.v1.DurationSamples;
import dev.ipclab.demos.proto.v1.SpawnThreads;
import dev.ipclab.demos.proto.v1.ThreadKind;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Both demos time thread creation the same way, Thread.start() alone: the creation-cost demo's samples and a
 * coroutines crowd's median come out of one method, so a virtual thread costs the same in both.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ThreadStartsTest {

  @Test
  void creationCostAndTheCrowdsMeasureTheSameThing() throws Exception {
    DurationSamples samples = CreationCostTasks.spawnThreads(SpawnThreads.newBuilder()
        .setKind(ThreadKind.THREAD_KIND_VIRTUAL).setCount(2_000).setWarmup(200).build());
    ThreadCrowd crowd = new ThreadCrowd(CrowdStart.newBuilder().setKind(CrowdKind.CROWD_KIND_VIRTUAL)
        .setCount(2_000).setSleepMillis(60_000).build());
    CrowdStarted started = crowd.start();
    crowd.join();
    // Both time Thread.start() alone, one sample per thread: a count of samples, never a ratio of timings, which
    // depends on the JIT and the machine's load (a ratio check here failed at 0.07 under load).
    assertThat(samples.getNanosCount()).isEqualTo(2_000);
    assertThat(samples.getNanosList()).allSatisfy(n -> assertThat(n).isPositive());
    assertThat(started.getStartMedianNanos()).isPositive();
  }

  @Test
  void theMedianIsANearestRankOverTheFilledPart() {
    assertThat(ThreadStarts.median(new long[] {5, 1, 3, 0, 0}, 3)).isEqualTo(3);
    assertThat(ThreadStarts.median(new long[0], 0)).isZero();
  }
}
