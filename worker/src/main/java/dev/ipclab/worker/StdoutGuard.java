package dev.ipclab.worker;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * Takes the real stdout away from the rest of the worker before anything else runs, so that a stray
 * {@code System.out.println} lands in the worker's log (stderr) instead of corrupting the pipe protocol (or, on
 * shm, ringing the parent's doorbell).
 */
final class StdoutGuard {
  private StdoutGuard() {}

  /** Redirects {@code System.out} to stderr and returns the only remaining handle on file descriptor 1. */
  static OutputStream takeStdout() {
    OutputStream protocol = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
    System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
    return protocol;
  }
}
