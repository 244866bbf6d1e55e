package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a descendant process, a parent record, a run directory or an shm file of this JVM
 * behind, and cleans up after it so one leak cannot poison the next test.
 */
final class NoLeftovers implements AfterEachCallback {
  private static final long WAIT_MILLIS = 5_000;

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    List<ProcessHandle> left = descendants();
    while (!left.isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      left = descendants();
    }
    List<String> described = left.stream()
        .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
        .toList();
    left.forEach(ProcessHandle::destroyForcibly);
    List<Path> dirs = runDirectories();
    dirs.forEach(NoLeftovers::deleteTree);
    List<Path> shmFiles = shmFiles(ProcessHandle.current().pid());
    shmFiles.forEach(NoLeftovers::deleteTree);
    // Pools record this JVM as a parent; the last pool's close must remove the record.
    Path record = dev.ipclab.parent.ParentRecord.file(ProcessHandle.current().pid());
    boolean recordLeft = Files.deleteIfExists(record);
    Path socket = dev.ipclab.parent.ParentRecord.controlSocket(ProcessHandle.current().pid());
    boolean socketLeft = Files.deleteIfExists(socket);
    assertThat(described).as("descendant processes left behind by the test").isEmpty();
    assertThat(recordLeft).as("parent record " + record + " left behind by the test").isFalse();
    assertThat(socketLeft).as("control socket " + socket + " left behind by the test").isFalse();
    assertThat(dirs).as("run directories left behind by the test").isEmpty();
    assertThat(shmFiles).as("shm files left behind by the test").isEmpty();
  }

  /** Shm files of parent {@code pid}: {@code /dev/shm/ipclab-<pid>-*}. */
  static List<Path> shmFiles(long pid) throws IOException {
    Path shm = Path.of("/dev/shm");
    if (!Files.isDirectory(shm)) {
      return List.of();
    }
    String prefix = "ipclab-" + pid + "-";
    try (Stream<Path> list = Files.list(shm)) {
      return list.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
    }
  }

  private static List<ProcessHandle> descendants() {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
  }

  /** Run directories of this JVM: {@code $TMPDIR/ipclab-<our pid>-*}. */
  static List<Path> runDirectories() throws IOException {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    String prefix = "ipclab-" + ProcessHandle.current().pid() + "-";
    try (Stream<Path> list = Files.list(tmp)) {
      return list.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
    }
  }

  static void deleteTree(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: the assertion above already reported it
    }
  }
}
