package dev.ipclab.demos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipclab.demos.proto.v1.AsyncIoFetch;
import dev.ipclab.demos.proto.v1.AsyncIoLoadResult;
import dev.ipclab.demos.proto.v1.AsyncIoServeResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading a page load against its servers: page time, overlaps, thread counts, intact images, timeline. */
class AsyncIoPageTest {
  private static final long MS = 1_000_000;
  private static final List<AsyncIoServer> SERVERS = List.of(server(1, 800, 1000, "aa"), server(2, 100, 500, "bb"));

  @Test
  void sequentialPageHasNoOverlapAndTakesFromFirstStartToLastEnd() {
    AsyncIoPage page = new AsyncIoPage("sync", load(fetch(0, 1000, 1810, 1000, "aa"), fetch(1, 1810, 1920, 500,
        "bb")).setThreadsBefore(20).setThreadsPeak(21).addIoTids(7).build(), SERVERS);
    assertThat(page.pageMillis()).isEqualTo(920.0);
    assertThat(page.overlaps()).isZero();
    assertThat(page.threadGrowth()).isEqualTo(1);
    assertThat(page.ioThreads()).isEqualTo(1);
    assertThat(page.evidence().timeline().get(1)).extracting(r -> r.image(), r -> r.startMs(), r -> r.arrivedMs(),
        r -> r.endMs()).containsExactly(2, 810.0, 919.0, 920.0);
    assertThat(page.evidence()).extracting(p -> p.pageMs(), p -> p.threadGrowth(), p -> p.ioTids())
        .containsExactly(920.0, 1, List.of(7L));
  }

  @Test
  void jitCompilerThreadsAreNotTheLoads() {
    AsyncIoPage page = new AsyncIoPage("async", load(fetch(0, 1000, 1805, 1000, "aa"), fetch(1, 1001, 1102, 500,
        "bb")).addNewThreadNames("page-loop-3-1").addNewThreadNames("C2 CompilerThre").addNewThreadNames("page-file")
        .build(), SERVERS);
    assertThat(page.loadThreads()).containsExactly("page-loop-3-1", "page-file");
  }

  @Test
  void overlappedImagesAreCounted() {
    AsyncIoPage page = new AsyncIoPage("async", load(fetch(0, 1000, 1805, 1000, "aa"), fetch(1, 1001, 1102, 500,
        "bb")).build(), SERVERS);
    assertThat(page.overlaps()).isEqualTo(1);
    assertThat(page.pageMillis()).isEqualTo(805.0);
  }

  @Test
  void anImageOfTheWrongSizeOrChecksumIsNotIntact() {
    AsyncIoPage page = new AsyncIoPage("x", load(fetch(0, 1000, 1805, 999, "aa"), fetch(1, 1001, 1102, 500,
        "cc")).build(), SERVERS);
    assertThat(page.intact(0)).isFalse();
    assertThat(page.intact(1)).isFalse();
    assertThat(page.table().rows()).allMatch(row -> row.getLast().equals("NO"));
  }

  @Test
  void aPageWithMissingImagesIsRefused() {
    assertThatThrownBy(() -> new AsyncIoPage("x", load(fetch(0, 1, 2, 1000, "aa")).build(), SERVERS))
        .hasMessageContaining("1 images of a page of 2");
  }

  private static AsyncIoServer server(int number, long latency, long size, String sha) {
    return new AsyncIoServer(number, "worker-" + number, 100 + number, latency,
        AsyncIoServeResult.newBuilder().setPort(4000 + number).setSizeBytes(size).setSha256(sha).build());
  }

  private static AsyncIoLoadResult.Builder load(AsyncIoFetch... fetches) {
    long start = List.of(fetches).stream().mapToLong(AsyncIoFetch::getStartNanos).min().orElse(0);
    long end = List.of(fetches).stream().mapToLong(AsyncIoFetch::getEndNanos).max().orElse(0);
    return AsyncIoLoadResult.newBuilder().setPageStartNanos(start).setPageEndNanos(end).addAllFetches(List.of(fetches));
  }

  private static AsyncIoFetch fetch(int index, long startMs, long endMs, long bytes, String sha) {
    return AsyncIoFetch.newBuilder().setIndex(index).setStartNanos(startMs * MS).setReceivedNanos((endMs - 1) * MS)
        .setEndNanos(endMs * MS).setBytes(bytes).setFileBytes(bytes).setSha256(sha).setPath("/tmp/x").build();
  }
}
