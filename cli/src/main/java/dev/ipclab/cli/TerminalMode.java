package dev.ipclab.cli;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The controlling terminal switched to single keys without echo ({@code stty -icanon -echo}) for as long as this
 * is open, and put back as it was ({@code stty <saved>}) on close or JVM exit, Ctrl-C included.
 */
final class TerminalMode implements AutoCloseable {
  private static final File TTY = new File("/dev/tty");

  private final String saved;
  private final InputStream keys;
  private final Thread restoreHook = new Thread(this::restore, "ipclab-terminal-restore");
  private boolean restored;

  private TerminalMode(String saved, InputStream keys) {
    this.saved = saved;
    this.keys = keys;
  }

  /** Switches the terminal to single keys; throws if there is no terminal or stty fails. */
  static TerminalMode enter() throws IOException, InterruptedException {
    String saved = stty("-g").strip();
    TerminalMode mode = new TerminalMode(saved, new FileInputStream(TTY));
    // Ctrl-C (ISIG stays on) ends the JVM through its shutdown hooks: this one puts the terminal back.
    Runtime.getRuntime().addShutdownHook(mode.restoreHook);
    try {
      stty("-icanon", "-echo", "min", "1");
    } catch (IOException | RuntimeException e) {
      mode.close();
      throw e;
    }
    return mode;
  }

  /** The next key if one was typed, else -1, without waiting. */
  int poll() throws IOException {
    return keys.available() > 0 ? keys.read() : -1;
  }

  private synchronized void restore() {
    if (restored) {
      return;
    }
    restored = true;
    try {
      stty(saved);
    } catch (IOException | InterruptedException | RuntimeException e) {
      System.err.println("ipclab top: could not restore the terminal (" + e.getMessage() + "); type 'stty sane'"
          + " and Enter to fix it");
    }
    try {
      keys.close();
    } catch (IOException e) {
      // nothing was left to read
    }
  }

  /** Puts the terminal back. Idempotent. */
  @Override
  public void close() {
    restore();
    try {
      Runtime.getRuntime().removeShutdownHook(restoreHook);
    } catch (IllegalStateException e) {
      // the JVM is exiting; the hook runs (or ran) restore(), which is idempotent
    }
  }

  private static String stty(String... args) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(concat(args)).redirectInput(TTY)
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(5, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("stty " + String.join(" ", args) + " did not finish within 5 s");
    }
    if (p.exitValue() != 0) {
      throw new IOException("stty " + String.join(" ", args) + " failed with status " + p.exitValue()
          + " (is /dev/tty a terminal?)");
    }
    return out;
  }

  private static List<String> concat(String... args) {
    List<String> cmd = new java.util.ArrayList<>(List.of("stty"));
    cmd.addAll(List.of(args));
    return cmd;
  }
}
