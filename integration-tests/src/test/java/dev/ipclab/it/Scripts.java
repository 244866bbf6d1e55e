package dev.ipclab.it;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;

/** Runs the checkout's bash launchers in {@code scripts/} as a user runs them: from /tmp, through Commons Exec. */
final class Scripts {
  private Scripts() {}

  /** What a script did. */
  record Result(int status, String stdout, String stderr) {}

  /**
   * Runs {@code scripts/<name> args} with the test's Java as JAVA_HOME and {@code env} added to this JVM's
   * environment, killing it after {@code timeout}.
   */
  static Result run(String name, Map<String, String> env, Duration timeout, String... args) throws Exception {
    Path root = ParentCli.jar("ipclab.cli.jar").getParent().getParent().getParent();
    CommandLine line = new CommandLine(root.resolve("scripts").resolve(name).toFile());
    for (String a : args) {
      line.addArgument(a, false);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    DefaultExecutor executor = DefaultExecutor.builder().setWorkingDirectory(new File("/tmp")).get();
    executor.setStreamHandler(new PumpStreamHandler(out, err));
    executor.setWatchdog(ExecuteWatchdog.builder().setTimeout(timeout).get());
    executor.setExitValues(null);
    Map<String, String> environment = new HashMap<>(System.getenv());
    environment.putAll(env);
    environment.put("JAVA_HOME", System.getProperty("java.home"));
    int status = executor.execute(line, environment);
    return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
