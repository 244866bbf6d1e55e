package dev.ipclab.parent;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A worker's stdout pipe as a plain {@link FileInputStream}, not the JDK's buffered wrapper around it.
 *
 * <p>Why: {@link Process#getInputStream()} is a {@code BufferedInputStream}, and its {@code read} asks
 * {@code available()}, a {@code FIONREAD} ioctl, after every read that returns fewer bytes than asked for, which is
 * every read of a round trip (strace: one ioctl per read; the worker side's removal of the same call took the
 * pinned pipe RTT from 9.3 to 8.7 µs). The JDK offers no way to the pipe's descriptor, so this opens the pipe
 * again through the worker's {@code /proc/<pid>/fd/1}: a new reader of the same kernel pipe. Opening an anonymous
 * pipe that way never waits for a writer (unlike a named FIFO). The worker must still be alive after the open, so
 * that its pid cannot have been reused by another process in between; then the JDK's stream is closed at once, so
 * its process reaper cannot drain bytes from the pipe when the worker exits. Where this does not work out, the
 * JDK's stream is used as before.
 */
final class WorkerStdout {
  private static final Logger log = Logger.getLogger(WorkerStdout.class.getName());

  private WorkerStdout() {}

  /** The stream to read {@code process}'s stdout from; the caller owns it and closes it. */
  static InputStream of(Process process, String workerName) {
    Path stdout = Path.of("/proc", Long.toString(process.pid()), "fd", "1");
    try {
      if (Files.readSymbolicLink(stdout).toString().startsWith("pipe:[")) {
        FileInputStream raw = new FileInputStream(stdout.toFile());
        if (process.isAlive()) {
          process.getInputStream().close();
          return raw;
        }
        raw.close(); // gone already: the reaper keeps what it wrote in the JDK's stream
      }
    } catch (IOException e) {
      log.log(Level.FINE, e, () -> workerName + ": reading stdout through the JDK's stream (" + e + ")");
    }
    return process.getInputStream();
  }
}
