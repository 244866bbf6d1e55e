package dev.ipclab.parent;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads the last lines of a worker's log, the first thing anyone wants to see after a crash. */
final class LogTail {
  private static final int MAX_BYTES = 16 * 1024;

  private LogTail() {}

  /** Up to {@code lines} last lines of {@code file}; empty if it does not exist or cannot be read. */
  static List<String> read(Path file, int lines) {
    if (file == null || !Files.isRegularFile(file)) {
      return List.of();
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      int n = (int) Math.min(length, MAX_BYTES);
      byte[] bytes = new byte[n];
      raf.seek(length - n);
      raf.readFully(bytes);
      int start = 0;
      if (length > n) {
        // We started mid-file, probably mid-line: drop that fragment rather than show half a line.
        while (start < n && bytes[start] != '\n') {
          start++;
        }
        start = Math.min(start + 1, n);
      }
      List<String> all = new ArrayList<>(
          Arrays.asList(new String(bytes, start, n - start, StandardCharsets.UTF_8).split("\\R")));
      all.removeIf(String::isBlank);
      return List.copyOf(all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return List.of("(log unreadable: " + e.getMessage() + ")");
    }
  }
}
