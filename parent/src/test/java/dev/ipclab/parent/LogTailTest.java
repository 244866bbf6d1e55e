package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
  void longLinesNeverComeBackCutMidLine() throws IOException {
    // 12 lines of about 2000 chars are more than the tail window holds, so the window starts inside a line.
    // Line lengths from 1980 to 2050 move that start across a whole line, through the exact line boundary.
    for (int length = 1980; length <= 2050; length++) {
      assertTailOfTwelveLinesIsWhole(length);
    }
  }

  private void assertTailOfTwelveLinesIsWhole(int length) throws IOException {
    List<String> written = new ArrayList<>();
    for (int i = 1; i <= 12; i++) {
      String head = String.format(Locale.ROOT, "%02d START ", i);
      String end = String.format(Locale.ROOT, " END %02d", i);
      written.add(head + "x".repeat(length - head.length() - end.length()) + end);
    }
    Path log = Files.writeString(dir.resolve("worker-" + length + ".log"), String.join("\n", written) + "\n");

    List<String> tail = LogTail.read(log, 12);

    // Compared in short form, "05 START...END 05 (1980 chars)", so a failure does not print 24 KB of x.
    List<String> expected = written.subList(written.size() - tail.size(), written.size());
    assertThat(tail).as("lines of %d chars", length).isNotEmpty();
    assertThat(tail.stream().map(LogTailTest::shortForm).toList())
        .as("lines of %d chars: the last ones, whole and in order", length)
        .isEqualTo(expected.stream().map(LogTailTest::shortForm).toList());
    assertThat(tail).isEqualTo(expected);
  }

  private static String shortForm(String line) {
    return line.length() < 20 ? line
        : line.substring(0, 8) + "..." + line.substring(line.length() - 6) + " (" + line.length() + " chars)";
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
