package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.demos.AddressSpaceDemo;
import dev.ipclab.demos.DemoContext;
import dev.ipclab.demos.DemoResult;
import dev.ipclab.demos.evidence.AddressSpaceEvidence;
import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.transport.TransportKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The address-space demo: its verdict, and the mappings behind it as each worker's /proc/&lt;pid&gt;/maps shows
 * them, read here with plain string matching rather than the demo's own parser.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AddressSpaceIT {

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void sameAddressHoldsEachWorkersOwnPidAndOnlyTheShmFileIsShared(TransportKind transport) throws Exception {
    String shm;
    try (DemoContext context = DemoRuns.context(transport)) {
      DemoResult result = DemoRuns.run(new AddressSpaceDemo(), context);
      DemoRuns.assertHolds(result);

      long parent = ProcessHandle.current().pid();
      long w1 = result.pids().get("worker-1");
      long w2 = result.pids().get("worker-2");
      assertThat(w1).isNotEqualTo(w2);
      for (long w : List.of(w1, w2)) {
        assertThat(ProcStatus.read(w).orElseThrow().ppid()).as("worker %d is our child", w).isEqualTo(parent);
      }

      AddressSpaceEvidence evidence = result.evidence(AddressSpaceEvidence.class);
      long address = evidence.fixed().address();
      String start = Long.toHexString(address) + "-";
      assertThat(evidence.fixed().values()).isEqualTo(List.of(w1, w2));
      for (long w : List.of(w1, w2)) {
        // One private (p) read-write page, not backed by a file (inode 0), at exactly that address.
        assertThat(maps(w)).as("/proc/%d/maps", w)
            .anyMatch(l -> l.startsWith(start) && l.matches("\\S+ rw-p 00000000 00:00 0\\s*")
                && Long.parseUnsignedLong(l.substring(start.length(), l.indexOf(' ')), 16) - address == 4096);
      }
      assertThat(maps(parent)).as("the parent has nothing at that address").noneMatch(l -> l.startsWith(start));

      shm = evidence.shm().path();
      assertThat(shm).startsWith("/dev/shm/ipclab-" + parent + "-");
      assertThat(Path.of(shm)).exists();
      assertThat(Files.getPosixFilePermissions(Path.of(shm))).hasToString("[OWNER_READ, OWNER_WRITE]");
      for (long w : List.of(w1, w2)) {
        assertThat(maps(w)).as("/proc/%d/maps", w).anyMatch(l -> l.contains(" rw-s ") && l.endsWith(" " + shm));
      }
      assertThat(maps(parent)).as("the parent does not map the file itself").noneMatch(l -> l.contains(shm));
      List<Long> written = evidence.shm().written();
      assertThat(evidence.shm().read()).isEqualTo(written);
      assertThat(written.get(0)).isNotEqualTo(written.get(1));

      List<Long> after = evidence.staticAfter();
      assertThat(after.get(0)).isEqualTo(after.get(2)).isNotEqualTo(after.get(1));
      assertThat(result.checkYourself()).anyMatch(c -> c.startsWith("grep " + Long.toHexString(address)
          + " /proc/" + w1 + "/maps"));
    }
    assertThat(Path.of(shm)).as("the shm file is deleted when the context closes").doesNotExist();
    assertThat(shmFilesOfThisRun()).isEmpty();
  }

  private static List<String> maps(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc", Long.toString(pid), "maps"));
  }

  private static List<Path> shmFilesOfThisRun() throws IOException {
    String prefix = "ipclab-" + ProcessHandle.current().pid() + "-";
    try (Stream<Path> files = Files.list(Path.of("/dev/shm"))) {
      return files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
    }
  }
}
