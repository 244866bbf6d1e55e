package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The last lines of a worker's log. */
class LogTailTest {
  @TempDir
  Path dir;

  @Test
  void returnsTheLastLinesInOrder() throws IOException {
    Path log = Files.writeString(dir.resolve("worker-1.log"), "one\ntwo\nthree\nfour\nfive\n");

    assertThat(LogTail.read(log, 3)).containsExactly("three", "four", "five");
  }

  @Test
  void fewerLinesThanAskedReturnsThemAll() throws IOException {
    Path log = Files.writeString(dir.resolve("worker-1.log"), "only\n");

    assertThat(LogTail.read(log, 12)).containsExactly("only");
  }

  @Test
  void blankLinesAndWindowsLineEndsAreDropped() throws IOException {
    Path log = Files.writeString(dir.resolve("worker-1.log"), "a\r\n\r\n   \nb\n\n");

    assertThat(LogTail.read(log, 12)).containsExactly("a", "b");
  }

  @Test
  void lastLineWithoutNewlineCounts() throws IOException {
    Path log = Files.writeString(dir.resolve("worker-1.log"), "a\nExit: crashed mid-line");

    assertThat(LogTail.read(log, 1)).containsExactly("Exit: crashed mid-line");
  }

  @Test
  void missingEmptyOrNullFileGivesNoLines() throws IOException {
    assertThat(LogTail.read(dir.resolve("absent.log"), 12)).isEmpty();
    assertThat(LogTail.read(null, 12)).isEmpty();
    assertThat(LogTail.read(Files.createFile(dir.resolve("empty.log")), 12)).isEmpty();
    assertThat(LogTail.read(dir, 12)).as("a directory").isEmpty();
  }

  @Test
  void largeLogIsReadFromTheEndOnly() throws IOException {
    // About 1 MiB of log; only the tail is read, and the last lines come back intact.
    String body = IntStream.rangeClosed(1, 20_000)
        .mapToObj(i -> String.format("%05d INFO worker-1 pid 4242: heartbeat %d", i, i))
        .collect(Collectors.joining("\n", "", "\n"));
    Path log = Files.writeString(dir.resolve("worker-1.log"), body);

    assertThat(LogTail.read(log, 2)).containsExactly(
        "19999 INFO worker-1 pid 4242: heartbeat 19999",
        "20000 INFO worker-1 pid 4242: heartbeat 20000");
  }
}
