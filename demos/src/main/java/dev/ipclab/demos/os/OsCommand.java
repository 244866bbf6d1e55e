package dev.ipclab.demos.os;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;

/**
 * Runs an OS tool ({@code taskset}, {@code ss}, {@code jcmd}, …) through Apache Commons Exec under a watchdog and
 * returns what it printed; a missing tool, a timeout or a non-zero exit is an IOException that says which and how
 * to get the tool. The one place ipclab runs external programs.
 */
public final class OsCommand {
  private OsCommand() {}

  /**
   * Runs {@code command}, waits at most {@code timeoutMillis}, and returns stdout and stderr together.
   *
   * @param hint how to install the tool, e.g. "apt-get install util-linux"
   */
  public static String run(List<String> command, long timeoutMillis, String hint) throws IOException {
    CommandLine line = new CommandLine(command.getFirst());
    // Arguments are passed as they are: no shell, so no quoting is needed or wanted.
    command.subList(1, command.size()).forEach(a -> line.addArgument(a, false));
    // Drained by Commons Exec's pump threads while the tool runs, so a chatty tool cannot fill the pipe and hang.
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    ExecuteWatchdog watchdog = ExecuteWatchdog.builder().setTimeout(Duration.ofMillis(timeoutMillis)).get();
    DefaultExecutor executor = DefaultExecutor.builder().get();
    executor.setStreamHandler(new PumpStreamHandler(output));
    executor.setWatchdog(watchdog);
    executor.setExitValues(null); // judged below, with the output in the message
    String shown = String.join(" ", command);
    int status;
    try {
      status = executor.execute(line);
    } catch (ExecuteException e) {
      status = e.getExitValue();
    } catch (IOException e) {
      throw new IOException("'" + command.getFirst() + "' could not be started (" + e.getMessage() + "); " + hint,
          e);
    }
    String text = output.toString(StandardCharsets.UTF_8);
    if (watchdog.killedProcess()) {
      throw new IOException("'" + shown + "' did not finish within " + timeoutMillis + " ms and was killed");
    }
    if (status != 0) {
      throw new IOException("'" + shown + "' exited with status " + status + ": " + text.strip());
    }
    return text;
  }

  /** Whether {@code tool} can be found on PATH (or is an executable path), to give a hint before running it. */
  public static boolean available(String tool) {
    if (tool.contains("/")) {
      return java.nio.file.Files.isExecutable(java.nio.file.Path.of(tool));
    }
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
