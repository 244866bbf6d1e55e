package dev.ipclab.parent.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs an OS tool ({@code taskset}, {@code ss}, …) under a watchdog and returns what it printed; a missing tool,
 * a timeout or a non-zero exit is an IOException that says which and how to get the tool.
 */
public final class OsCommand {
  private OsCommand() {}

  /**
   * Runs {@code command}, waits at most {@code timeoutMillis}, and returns stdout and stderr together.
   *
   * @param hint how to install the tool, e.g. "apt-get install util-linux"
   */
  public static String run(List<String> command, long timeoutMillis, String hint) throws IOException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException("'" + command.getFirst() + "' could not be started (" + e.getMessage() + "); " + hint,
          e);
    }
    // Drained while waiting, so a chatty tool cannot fill the pipe and hang.
    CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
      try {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(output unreadable: " + e.getMessage() + ")";
      }
    });
    try {
      if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(1, TimeUnit.SECONDS);
        throw new IOException("'" + String.join(" ", command) + "' did not finish within " + timeoutMillis
            + " ms and was killed");
      }
      String text = output.get(timeoutMillis, TimeUnit.MILLISECONDS);
      if (p.exitValue() != 0) {
        throw new IOException("'" + String.join(" ", command) + "' exited with status " + p.exitValue() + ": "
            + text.strip());
      }
      return text;
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running '" + String.join(" ", command) + "'", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("could not read the output of '" + String.join(" ", command) + "': " + e, e);
    }
  }
}
