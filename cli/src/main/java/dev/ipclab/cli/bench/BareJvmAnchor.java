package dev.ipclab.cli.bench;

import dev.ipclab.cli.bench.Anchors.ProcMemory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The bare child JVM anchor: {@code BareEcho} on a pipe, started with a worker's {@code java} and footprint flags,
 * timed from {@code ProcessBuilder.start} to its first echoed frame, and its memory once idle. What a worker's
 * spawn-to-ready and RSS are divided by: the part of them that any JVM with these flags costs.
 */
final class BareJvmAnchor {
  /** One frame: length 1, one byte. */
  private static final byte[] FRAME = {0, 0, 0, 1, 42};

  private BareJvmAnchor() {}

  /** Spawns one bare JVM and returns the ms from {@code ProcessBuilder.start} to its first echo read back. */
  static double spawnToFirstEchoMs() throws IOException, InterruptedException {
    long start = System.nanoTime();
    Process p = BaselineEcho.spawn("pipe", "block", true);
    try {
      firstEcho(p);
      return (System.nanoTime() - start) / 1e6;
    } finally {
      stop(p);
    }
  }

  /**
   * Starts {@code count} bare JVMs at once, waits for each one's first echo and then {@code settle}, and reads
   * their memory while all are alive (so shared pages divide among them as in a pool of as many workers).
   */
  static List<ProcMemory> idleMemory(int count, Duration settle) throws IOException, InterruptedException {
    List<Process> alive = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        alive.add(BaselineEcho.spawn("pipe", "block", true));
      }
      for (Process p : alive) {
        firstEcho(p);
      }
      Thread.sleep(settle.toMillis());
      List<ProcMemory> memory = new ArrayList<>();
      for (Process p : alive) {
        memory.add(PoolMemory.read(p.pid()));
      }
      return memory;
    } finally {
      for (Process p : alive) {
        stop(p);
      }
    }
  }

  private static void firstEcho(Process p) throws IOException {
    OutputStream out = p.getOutputStream();
    out.write(FRAME);
    out.flush();
    InputStream in = p.getInputStream();
    byte[] echo = in.readNBytes(FRAME.length);
    if (!java.util.Arrays.equals(echo, FRAME)) {
      throw new IOException("the bare JVM pid " + p.pid() + " echoed " + echo.length + " bytes that differ from"
          + " the " + FRAME.length + " sent (exited: " + !p.isAlive() + "); its stderr is above");
    }
  }

  /** End of stdin makes the echo exit; a lingering one is killed. */
  private static void stop(Process p) throws InterruptedException {
    try {
      p.getOutputStream().close();
    } catch (IOException e) {
      // already gone: nothing to close
    }
    if (!p.waitFor(5, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
