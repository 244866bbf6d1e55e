package dev.ipclab.worker;

import java.util.Locale;

/**
 * Test faults a worker can be told to commit, as Bazel's ExampleWorker does, so that tests and the chaos demo can
 * play every kind of broken peer with a real process.
 *
 * <p>Spec: {@code kind} or {@code kind:N}, from {@code -Dipclab.fault} or {@code IPCLAB_FAULT}.
 * <ul>
 *   <li>{@code garbage-after:N}: after N pongs, write bytes that are not a frame;
 *   <li>{@code huge-frame-after:N}: after N pongs, announce a 2 GiB frame;
 *   <li>{@code stdout-after:N}: after N pongs, print a stray line to System.out (must not break the protocol);
 *   <li>{@code exit-after:N}: on ping N+1, exit at once with status 42, mid-request;
 *   <li>{@code exit-on-task:N}: on task N+1, exit at once with status 42, mid-task (a worker that crashes
 *       under its tasks, for restart and retry tests);
 *   <li>{@code hang-after:N}: on ping N+1, stop reading and stop sending heartbeats;
 *   <li>{@code bad-token}: send a wrong token in the hello;
 *   <li>{@code protocol-version:N}: claim protocol revision N in the hello;
 *   <li>{@code no-hello}: never send the hello.
 * </ul>
 */
record Faults(Kind kind, int after) {

  enum Kind { NONE, GARBAGE_AFTER, HUGE_FRAME_AFTER, STDOUT_AFTER, EXIT_AFTER, EXIT_ON_TASK, HANG_AFTER, BAD_TOKEN,
    PROTOCOL_VERSION, NO_HELLO }

  static final Faults NONE = new Faults(Kind.NONE, 0);

  /** Parses a spec; an unknown one is an error, so a typo in a test cannot silently disable its fault. */
  static Faults parse(String spec) {
    if (spec == null || spec.isBlank()) {
      return NONE;
    }
    String[] parts = spec.trim().split(":", 2);
    Kind kind;
    try {
      kind = Kind.valueOf(parts[0].toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown fault '" + spec + "'; expected one of garbage-after:N,"
          + " huge-frame-after:N, stdout-after:N, exit-after:N, exit-on-task:N, hang-after:N, bad-token,"
          + " protocol-version:N, no-hello");
    }
    int n = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
    return new Faults(kind, n);
  }

  boolean is(Kind k) {
    return kind == k;
  }

  /** Bytes that cannot start a frame: six continuation bits make a length prefix longer than varint32 allows. */
  static byte[] garbage() {
    return new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 'x'};
  }

  /** A length prefix announcing 2^31 bytes (2 GiB), followed by a few bytes of body that will never complete. */
  static byte[] hugeFramePrefix() {
    return new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 1, 2, 3};
  }
}
