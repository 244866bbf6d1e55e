package dev.ipclab.cli.chaos.worker;

import com.google.protobuf.ByteString;
import dev.ipclab.worker.FaultHooks;
import dev.ipclab.worker.TaskModule;
import dev.ipclab.worker.WorkerContext;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;

/**
 * Task kinds that break the worker on purpose, each a real fault of a real process, for {@code ipclab chaos}:
 * <ul>
 *   <li>{@code chaos.sleep-echo}: not a fault but the soak's ordinary work: waits the milliseconds its payload
 *       starts with (ASCII digits up to the first space), then returns the whole payload, so every task can
 *       carry a unique payload and take a little time;
 *   <li>{@code chaos.garbage}: writes bytes that are not a frame to the channel (then answers normally; the
 *       parent never gets that far);
 *   <li>{@code chaos.stdout}: writes its payload as a line straight to file descriptor 1, past the stdout guard;
 *       on the pipe transport that corrupts the protocol, on sockets it lands in the worker's log;
 *   <li>{@code chaos.exit}: halts the JVM at once, mid-task, with the status its payload spells in ASCII;
 *   <li>{@code chaos.slow-reader}: makes the thread that reads the channel stop reading for the number of
 *       milliseconds its payload spells, before it handles the next frame; heartbeats go on from their own
 *       thread.
 * </ul>
 *
 * <p>A task module like any other, but only a worker started with {@code -Dipclab.chaos.run=<marker>} (by
 * {@code ipclab chaos}) has the fault hooks these kinds need, so only there are they registered; an ordinary worker
 * answers them as unknown, so no parent can break it this way by mistake.
 */
public final class ChaosTasks implements TaskModule {
  private static final Logger log = Logger.getLogger(ChaosTasks.class.getName());

  public static final String SLEEP_ECHO = "chaos.sleep-echo";
  public static final String GARBAGE = "chaos.garbage";
  public static final String STDOUT = "chaos.stdout";
  public static final String EXIT = "chaos.exit";
  public static final String SLOW_READER = "chaos.slow-reader";

  /** Registers the chaos kinds, in a worker started for a chaos run only: one whose context has fault hooks. */
  @Override
  public void start(WorkerContext context) {
    context.faultHooks().ifPresent(hooks -> register(context, hooks));
  }

  static void register(WorkerContext registry, FaultHooks session) {
    registry.register(SLEEP_ECHO, payload -> {
      Thread.sleep(leadingMillis(payload));
      return payload;
    });
    registry.register(GARBAGE, payload -> {
      log.warning("chaos.garbage: writing bytes that are not a frame to the channel");
      session.writeRaw(garbage());
      return payload;
    });
    registry.register(STDOUT, payload -> {
      log.warning("chaos.stdout: writing a line straight to file descriptor 1, past the stdout guard");
      printToFd1(payload);
      return payload;
    });
    registry.register(EXIT, payload -> {
      int status = Integer.parseInt(payload.toString(StandardCharsets.US_ASCII).trim());
      log.warning(() -> "chaos.exit: halting mid-task with status " + status);
      Runtime.getRuntime().halt(status);
      return payload; // not reached
    });
    registry.register(SLOW_READER, payload -> {
      long millis = Long.parseLong(payload.toString(StandardCharsets.US_ASCII).trim());
      if (millis < 0) {
        throw new IllegalArgumentException("chaos.slow-reader expects a pause of 0 ms or more, got " + millis);
      }
      log.warning(() -> "chaos.slow-reader: the reading thread pauses " + millis + " ms before the next frame");
      session.pauseReading(millis);
      return payload;
    });
  }

  /** The milliseconds a {@code chaos.sleep-echo} payload starts with: "25 task-7" waits 25 ms. */
  static long leadingMillis(ByteString payload) {
    String text = payload.toString(StandardCharsets.US_ASCII);
    int space = text.indexOf(' ');
    String digits = space < 0 ? text : text.substring(0, space);
    try {
      return Long.parseLong(digits.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("chaos.sleep-echo expects its payload to start with milliseconds, as in"
          + " '25 task-7', but it starts with '" + digits + "'", e);
    }
  }

  /** Bytes no frame starts with: a varint length prefix longer than five bytes. */
  static byte[] garbage() {
    return new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 'x', '\n'};
  }

  /**
   * A fresh stream on descriptor 1 rather than System.out, which the stdout guard has already moved to stderr:
   * this is the stray print of a library that captured the real stdout before the guard ran.
   */
  @SuppressWarnings("resource") // closing it would close descriptor 1, the protocol pipe itself
  private static void printToFd1(ByteString payload) throws IOException {
    FileOutputStream fd1 = new FileOutputStream(FileDescriptor.out);
    byte[] line = (payload.isEmpty() ? "chaos: a stray line on stdout" : payload.toStringUtf8()).concat("\n")
        .getBytes(StandardCharsets.UTF_8);
    fd1.write(line);
    fd1.flush();
  }
}
