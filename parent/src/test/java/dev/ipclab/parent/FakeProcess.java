package dev.ipclab.parent;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A worker "process" for unit tests that is no OS process at all: it has a pid of its choosing, and it exits when
 * the test says so ({@link #exit}) or when it is killed, so a test decides every death and its timing.
 */
final class FakeProcess extends Process {
  /** SIGKILL as the JVM reports it: 128 + 9. */
  static final int KILLED = 137;

  private final long pid;
  private final CompletableFuture<Process> exit = new CompletableFuture<>();
  private volatile int status = -1;

  FakeProcess(long pid) {
    this.pid = pid;
  }

  /** The process ends with {@code code}, as if it had exited by itself; a second exit changes nothing. */
  void exit(int code) {
    synchronized (this) {
      if (exit.isDone()) {
        return;
      }
      status = code;
    }
    exit.complete(this);
  }

  @Override
  public long pid() {
    return pid;
  }

  @Override
  public CompletableFuture<Process> onExit() {
    return exit;
  }

  @Override
  public Stream<ProcessHandle> descendants() {
    return Stream.empty();
  }

  @Override
  public OutputStream getOutputStream() {
    return OutputStream.nullOutputStream();
  }

  @Override
  public InputStream getInputStream() {
    return new ByteArrayInputStream(new byte[0]);
  }

  @Override
  public InputStream getErrorStream() {
    return new ByteArrayInputStream(new byte[0]);
  }

  @Override
  public int waitFor() throws InterruptedException {
    try {
      exit.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    }
    return status;
  }

  @Override
  public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
    try {
      exit.get(timeout, unit);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public int exitValue() {
    if (!exit.isDone()) {
      throw new IllegalThreadStateException("fake process " + pid + " has not exited");
    }
    return status;
  }

  @Override
  public boolean isAlive() {
    return !exit.isDone();
  }

  @Override
  public void destroy() {
    exit(143); // 128 + SIGTERM
  }

  @Override
  public Process destroyForcibly() {
    exit(KILLED);
    return this;
  }
}
