package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A child's stdout read straight from the pipe, with nothing lost when the child exits. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerStdoutTest {

  @Test
  void readsTheSamePipeWithoutTheJdkBufferAndLeavesOneDescriptorOfIt() throws Exception {
    Process child = new ProcessBuilder("sh", "-c", "read line; echo \"got $line\"").start();
    String pipe = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc", Long.toString(child.pid()), "fd", "1")).toString();
    try (InputStream out = WorkerStdout.of(child, "child")) {
      assertThat(out).isExactlyInstanceOf(FileInputStream.class).isNotInstanceOf(BufferedInputStream.class);
      // The JDK's descriptor of the pipe is closed: the parent holds only its own, so the reaper drains nothing.
      assertThat(fdTargets()).filteredOn(pipe::equals).hasSize(1);
      child.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
      child.getOutputStream().close();
      assertThat(new String(out.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("got ping\n");
    }
    assertThat(child.waitFor()).isZero();
    assertThat(fdTargets()).noneMatch(pipe::equals);
  }

  /** The JDK drains a dead child's stdout into its own stream; ours must get every byte the child wrote instead. */
  @RepeatedTest(10)
  void keepsEveryByteOfAChildThatExitsRightAfterWriting() throws Exception {
    Process child = new ProcessBuilder("sh", "-c", "sleep 0.05; printf '%s' 0123456789").start();
    try (InputStream out = WorkerStdout.of(child, "child")) {
      assertThat(child.waitFor()).isZero();
      assertThat(new String(out.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("0123456789");
    }
  }

  @Test
  void fallsBackToTheJdkStreamWhenTheChildIsAlreadyGone() throws Exception {
    Process child = new ProcessBuilder("sh", "-c", "printf gone").start();
    child.waitFor();
    try (InputStream out = WorkerStdout.of(child, "child")) {
      assertThat(out).isSameAs(child.getInputStream());
      assertThat(new String(out.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("gone");
    }
  }

  /** Where each of this JVM's file descriptors points, from /proc/self/fd. */
  private static java.util.List<String> fdTargets() throws java.io.IOException {
    java.util.List<String> targets = new java.util.ArrayList<>();
    try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
      for (java.nio.file.Path fd : (Iterable<java.nio.file.Path>) fds::iterator) {
        try {
          targets.add(java.nio.file.Files.readSymbolicLink(fd).toString());
        } catch (java.io.IOException e) {
          // closed while listed (the listing's own descriptor)
        }
      }
    }
    return targets;
  }
}
