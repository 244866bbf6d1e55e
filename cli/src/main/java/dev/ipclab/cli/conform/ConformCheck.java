package dev.ipclab.cli.conform;

/**
 * One rule of the worker contract that {@code ipclab conform} checks, in the order it runs them. Each names the rule
 * it checks, so that a FAIL says which rule the worker broke; docs/protocol.md states them in full.
 */
public enum ConformCheck {
  HELLO("hello", "hello with the token and the pid",
      "the first frame is a Hello carrying IPCLAB_TOKEN, the worker's own pid, IPCLAB_WORKER_ID and protocol_version"
          + " 1, within the handshake timeout"),
  PING("ping", "ping and payload echo",
      "a Ping is answered by one Pong with the same request_id, payload and parent_send_nanos"),
  UNKNOWN_TASK_KIND("unknown-task-kind", "an unknown task kind is answered with its error code",
      "a Task of a kind the worker does not serve is answered by ErrorReply ERROR_CODE_UNKNOWN_TASK_KIND"),
  IN_FLIGHT("in-flight", "many requests in flight, matched by id",
      "many requests may be in flight at once; each reply carries the request_id of the request it answers"),
  STATUS("status", "status request",
      "a StatusRequest is answered by one WorkerStatus (or an ErrorReply) with its request_id"),
  CANCEL("cancel", "cancel answered exactly once",
      "a CancelTask makes the worker answer that task at once, exactly once, with ErrorReply ERROR_CODE_CANCELLED;"
          + " a CancelTask for an id not in flight is ignored"),
  DEADLINE("deadline", "the deadline",
      "a Task still running deadline_ms after it was read is answered ErrorReply ERROR_CODE_DEADLINE_EXCEEDED"),
  ONE_REPLY("one-reply", "exactly one reply per request",
      "every request with a request_id is answered exactly once, and no reply names an id that was not sent"),
  HEARTBEATS("heartbeats", "heartbeats, with silence declared hung",
      "a Heartbeat (request_id 0, sequence from 1) every heartbeat_interval_ms from the Welcome on, busy or not;"
          + " a worker silent for longer than heartbeat_timeout_ms is declared hung"),
  SHUTDOWN("shutdown", "graceful shutdown and goodbye",
      "a Shutdown is answered by a Goodbye with its request_id, then the worker exits with status 0 within grace_ms"),
  FRAME_CAP("frame-cap", "the frame cap",
      "frames up to IPCLAB_MAX_FRAME_BYTES are read; a longer one is refused from its length prefix with ErrorReply"
          + " ERROR_CODE_FRAME_TOO_LARGE and the worker exits, and the worker never sends one itself"),
  STDIN_EOF("stdin-eof", "exit on stdin end-of-file",
      "the worker exits within 2 s of end-of-file on its stdin, on every transport"),
  PARENT_KILLED("parent-killed", "exit within 2 s of the parent's SIGKILL",
      "the worker exits within 2 s of its parent's death by SIGKILL"),
  STDOUT("stdout", "no byte on stdout outside the frames",
      "stdout carries only frames: on a pipe nothing else, on a socket transport nothing at all");

  private final String id;
  private final String title;
  private final String rule;

  ConformCheck(String id, String title, String rule) {
    this.id = id;
    this.title = title;
    this.rule = rule;
  }

  /** A short stable name, for the JSON report and for scripts: {@code cancel}. */
  public String id() {
    return id;
  }

  /** What is checked, in a few words. */
  public String title() {
    return title;
  }

  /** The rule in full, as docs/protocol.md states it; a FAIL quotes it. */
  public String rule() {
    return rule;
  }
}
