package dev.ipclab.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The ipclab parent CLI as a real child JVM of the test, started with the test's own java and the built jars,
 * with stdout and stderr drained while it runs (never waitFor() before draining: a full pipe would deadlock).
 */
final class ParentCli implements AutoCloseable {
  private final Process process;
  private final List<String> out = Collections.synchronizedList(new ArrayList<>());
  private final List<String> err = Collections.synchronizedList(new ArrayList<>());
  private final Thread outDrain;
  private final Thread errDrain;

  private ParentCli(Process process) {
    this.process = process;
    this.outDrain = drain(process.getInputStream(), out, "cli-stdout");
    this.errDrain = drain(process.getErrorStream(), err, "cli-stderr");
  }

  static ParentCli start(String... args) throws IOException {
    return start(java.util.Map.of(), args);
  }

  /** Starts the CLI with {@code env} added to this JVM's environment (e.g. a private TMPDIR). */
  static ParentCli start(java.util.Map<String, String> env, String... args) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command(args));
    builder.environment().putAll(env);
    return new ParentCli(builder.start());
  }

  /** The command line that runs the CLI with {@code args}, for tests that start it some other way. */
  static List<String> command(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElseThrow());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-Dipclab.role=parent");
    cmd.add("-Dipclab.worker.jar=" + jar("ipclab.worker.jar"));
    cmd.add("-cp");
    cmd.add(jar("ipclab.cli.jar").toString());
    cmd.add("dev.ipclab.cli.IpclabCommand");
    cmd.addAll(List.of(args));
    return cmd;
  }

  static Path jar(String property) {
    String path = System.getProperty(property);
    if (path == null) {
      throw new IllegalStateException("-D" + property + " is not set; run the integration tests with ./mvnw verify");
    }
    return Path.of(path).toAbsolutePath().normalize();
  }

  private static Thread drain(java.io.InputStream in, List<String> into, String name) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          into.add(line);
        }
      } catch (IOException e) {
        into.add("(drain failed: " + e + ")");
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  Process process() {
    return process;
  }

  long pid() {
    return process.pid();
  }

  /** Waits up to {@code millis} for a stdout line containing {@code text}; returns it or null. */
  String awaitLine(String text, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < deadline && process.isAlive()) {
      String line = findLine(text);
      if (line != null) {
        return line;
      }
      Thread.sleep(20);
    }
    return findLine(text);
  }

  private String findLine(String text) {
    synchronized (out) {
      return out.stream().filter(l -> l.contains(text)).findFirst().orElse(null);
    }
  }

  /** Waits for exit (draining all the while) and returns the status. */
  int waitFor(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new AssertionError("ipclab CLI did not exit within " + seconds + " s; stdout:\n" + stdout()
          + "\nstderr:\n" + stderr());
    }
    // The drains end at end of stream, just after the exit; a loaded machine may make them wait for a CPU, and
    // output read after a shorter wait would be cut short (a JSON document half parsed).
    outDrain.join(30_000);
    errDrain.join(30_000);
    return process.exitValue();
  }

  String stdout() {
    synchronized (out) {
      return String.join("\n", out);
    }
  }

  String stderr() {
    synchronized (err) {
      return String.join("\n", err);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
