#!/usr/bin/env python3
"""An ipclab worker in Python: the reference for writing one in any language (see docs/protocol.md).

Started by an ipclab parent (a pool built with WorkerPoolBuilder.command, or `ipclab conform`), it reads its
settings from the environment, reaches the parent over stdin/stdout (pipe), a Unix socket (uds) or TCP (tcp),
says hello with the token, and serves until told to shut down or until the parent is gone.

Task kinds, each on a thread of its own:
  echo         returns its payload
  sleep        waits for the milliseconds its payload spells in ASCII ("250"), returns the payload
  sha256       returns the SHA-256 of its payload, as 64 hex digits in ASCII
  sha256-file  returns the SHA-256 of the file whose path is its payload (UTF-8), as 64 hex digits
  primes       counts the primes up to N (its payload, ASCII, at most 50,000,000) with a sieve; returns the count
  fail         fails with its payload as the message (ERROR_CODE_TASK_FAILED)

Only the standard library and python3-protobuf. The message classes are generated from ipc-proto's .proto by
protoc into build/gen (or $IPCLAB_PY_GEN) the first time, never by hand; `worker.py --generate` does only that.

Exit statuses, as ipclab's own worker: 0 after Shutdown, 1 failure, 2 bad settings, 3 protocol error,
4 rejected, 5 parent gone.
"""

import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

OK, FAILURE, BAD_CONFIGURATION, PROTOCOL_ERROR, REJECTED, PARENT_GONE = 0, 1, 2, 3, 4, 5
PROTOCOL_VERSION = 1
MAX_RUNNING = 512

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_ROOT = os.environ.get("IPCLAB_PROTO_DIR",
                            os.path.join(HERE, "..", "..", "ipc-proto", "src", "main", "proto"))
GEN_DIR = os.environ.get("IPCLAB_PY_GEN", os.path.join(HERE, "build", "gen"))
PROTO_FILE = "ipclab/v1/ipclab.proto"


def log(message):
    """One line on stderr, which the parent keeps as this worker's log; stdout is for frames only."""
    sys.stderr.write("%s worker-%s pid %d: %s\n" % (
        time.strftime("%H:%M:%S"), os.environ.get("IPCLAB_WORKER_ID", "?"), os.getpid(), message))
    sys.stderr.flush()


def generate():
    """Runs protoc on ipclab.proto into GEN_DIR unless it is there and newer; atomic, so workers may race."""
    proto = os.path.join(PROTO_ROOT, PROTO_FILE)
    target = os.path.join(GEN_DIR, "ipclab", "v1", "ipclab_pb2.py")
    if not os.path.exists(proto):
        raise SystemExit("ipclab worker: cannot find %s; set IPCLAB_PROTO_DIR to ipc-proto/src/main/proto" % proto)
    if os.path.exists(target) and os.path.getmtime(target) >= os.path.getmtime(proto):
        return
    parent = os.path.dirname(os.path.abspath(GEN_DIR))
    os.makedirs(parent, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix=".gen-", dir=parent)
    try:
        subprocess.run(["protoc", "-I", PROTO_ROOT, "--python_out=" + scratch, PROTO_FILE],
                       check=True, stdout=sys.stderr, stderr=sys.stderr)
    except (OSError, subprocess.CalledProcessError) as e:
        raise SystemExit("ipclab worker: protoc failed (%s); install protobuf-compiler" % e)
    try:
        if os.path.exists(GEN_DIR):
            old = GEN_DIR + ".old-%d" % os.getpid()
            os.rename(GEN_DIR, old)
            subprocess.run(["rm", "-rf", old], check=False)
        os.rename(scratch, GEN_DIR)
    except OSError:
        subprocess.run(["rm", "-rf", scratch], check=False)  # another worker won the race: its copy is as good


def load_messages():
    generate()
    sys.path.insert(0, GEN_DIR)
    from ipclab.v1 import ipclab_pb2  # noqa: E402  (generated above)
    return ipclab_pb2


class Channel:
    """Frames over a byte stream: a base-128 varint length, then that many bytes of one envelope."""

    def __init__(self, read_fd_or_sock, write, max_frame_bytes):
        self._src = read_fd_or_sock
        self._write = write
        self._lock = threading.Lock()
        self.max_frame_bytes = max_frame_bytes
        self.frames_in = self.frames_out = self.bytes_in = self.bytes_out = 0

    def _read(self, n):
        if isinstance(self._src, socket.socket):
            return self._src.recv(n)
        return os.read(self._src, n)

    def _read_exactly(self, n):
        chunks, left = [], n
        while left > 0:
            chunk = self._read(min(left, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def read_frame(self):
        """The next frame's bytes; None at end of stream; raises FrameError for a bad prefix or one over the cap."""
        length, shift = 0, 0
        while True:
            b = self._read(1)
            if not b:
                if shift == 0:
                    return None
                raise FrameError(1, "end of stream inside a length prefix")  # ERROR_CODE_MALFORMED_FRAME
            length |= (b[0] & 0x7F) << shift
            if not b[0] & 0x80:
                break
            shift += 7
            if shift >= 35:
                raise FrameError(1, "a length prefix longer than 5 bytes")
        if length > self.max_frame_bytes:
            # Refused from the prefix alone: nothing is allocated for it.
            raise FrameError(2, "a frame of %d bytes exceeds the limit of %d bytes" % (length, self.max_frame_bytes))
        body = self._read_exactly(length)
        if body is None:
            raise FrameError(1, "end of stream inside a frame of %d bytes" % length)
        self.frames_in += 1
        self.bytes_in += length + len(varint(length))
        return body

    def send(self, envelope):
        body = envelope.SerializeToString()
        frame = varint(len(body)) + body
        with self._lock:  # one frame at a time, whole: frames from several threads never interleave
            self._write(frame)
            self.frames_out += 1
            self.bytes_out += len(frame)


class FrameError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


class TaskFailed(Exception):
    """A handler's failure with the error code to answer (default TASK_FAILED)."""

    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code


def task_echo(payload, cancelled):
    return payload


def task_sleep(payload, cancelled):
    try:
        millis = int(payload.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        raise TaskFailed("sleep wants milliseconds in ASCII, got %r" % payload[:32], code="BAD_TASK_PAYLOAD")
    cancelled.wait(millis / 1000.0)  # a cancel or a deadline ends the wait at once
    return payload


def task_sha256(payload, cancelled):
    return hashlib.sha256(payload).hexdigest().encode("ascii")


def task_sha256_file(payload, cancelled):
    path = payload.decode("utf-8")
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                if cancelled.is_set():
                    return b""
                digest.update(block)
    except OSError as e:
        raise TaskFailed("cannot read %s: %s" % (path, e.strerror))
    return digest.hexdigest().encode("ascii")


def task_primes(payload, cancelled):
    try:
        n = int(payload.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        raise TaskFailed("primes wants N in ASCII, got %r" % payload[:32], code="BAD_TASK_PAYLOAD")
    if n < 0 or n > 50_000_000:
        raise TaskFailed("primes takes N from 0 to 50,000,000, got %d" % n, code="BAD_TASK_PAYLOAD")
    if n < 2:
        return b"0"
    sieve = bytearray([1]) * (n + 1)
    sieve[0] = sieve[1] = 0
    i = 2
    while i * i <= n:
        if cancelled.is_set():
            return b""
        if sieve[i]:
            sieve[i * i::i] = bytes(len(range(i * i, n + 1, i)))
        i += 1
    return str(sum(sieve)).encode("ascii")


def task_fail(payload, cancelled):
    raise TaskFailed(payload.decode("utf-8", "replace") or "failed on request")


TASKS = {
    "echo": task_echo,
    "sleep": task_sleep,
    "sha256": task_sha256,
    "sha256-file": task_sha256_file,
    "primes": task_primes,
    "fail": task_fail,
}


class Worker:
    """One conversation with the parent. Subclass and override a method to change one behaviour."""

    def __init__(self, pb, settings, channel, tasks=None):
        self.pb = pb
        self.settings = settings
        self.channel = channel
        self.tasks = dict(TASKS if tasks is None else tasks)
        self.running = {}  # request id -> threading.Event; whoever pops an entry sends the task's one answer
        self.running_lock = threading.Lock()
        self.welcomed = False
        self.served = 0
        self.pings = 0
        self.tasks_started = self.tasks_completed = self.tasks_failed = 0
        self.heartbeat_stop = threading.Event()
        self.started = time.monotonic()
        self.parent_reported_error = False

    # -- sending --------------------------------------------------------------------------------------------------

    def send(self, **fields):
        request_id = fields.pop("request_id", 0)
        self.channel.send(self.pb.WorkerEnvelope(request_id=request_id, **fields))

    def send_error(self, request_id, code, message):
        log(message)
        self.send(request_id=request_id,
                  error=self.pb.ErrorReply(code=self.pb.ErrorCode.Value("ERROR_CODE_" + code), message=message))

    def hello(self):
        self.send(hello=self.pb.Hello(worker_id=self.settings["worker_id"], pid=os.getpid(), ppid=os.getppid(),
                                      protocol_version=PROTOCOL_VERSION, token=self.settings["token"],
                                      task_kinds=sorted(self.tasks)))

    # -- the reading loop -----------------------------------------------------------------------------------------

    def serve(self):
        """Reads and dispatches frames until the conversation ends; returns the exit status."""
        self.hello()
        while True:
            try:
                body = self.channel.read_frame()
            except FrameError as e:
                return self.protocol_error(e.code, e.args[0])
            except OSError as e:
                log("the channel to the parent failed: %s" % e)
                return PROTOCOL_ERROR
            if body is None:
                if self.parent_reported_error:
                    log("the parent closed the channel after reporting an error; exiting")
                    return PROTOCOL_ERROR
                log("the parent closed the channel; exiting")
                return PARENT_GONE
            try:
                envelope = self.pb.ParentEnvelope.FromString(body)
            except Exception as e:  # the protobuf runtime's DecodeError
                return self.protocol_error(1, "a frame of %d bytes is not a ParentEnvelope: %s" % (len(body), e))
            status = self.dispatch(envelope)
            if status is not None:
                return status

    def protocol_error(self, code, message):
        log("protocol error: " + message)
        try:
            self.channel.send(self.pb.WorkerEnvelope(error=self.pb.ErrorReply(code=code, message=message)))
        except OSError:
            pass
        return PROTOCOL_ERROR

    def dispatch(self, envelope):
        """Handles one envelope on the reading thread; returns an exit status to end the conversation."""
        kind = envelope.WhichOneof("kind")
        self.parent_reported_error = False
        rid = envelope.request_id
        if kind == "welcome":
            return self.on_welcome(envelope.welcome)
        if kind == "reject":
            log("the parent rejected this worker (%s): %s" % (
                self.pb.RejectReason.Name(envelope.reject.reason), envelope.reject.message))
            return REJECTED
        if kind == "heartbeat":
            return None
        if kind == "error":
            self.parent_reported_error = True
            log("the parent reports an error (%s): %s" % (
                self.pb.ErrorCode.Name(envelope.error.code), envelope.error.message))
            return None
        if kind is None:
            self.send_error(rid, "UNKNOWN_KIND", "envelope %d carries no kind this worker knows (protocol revision"
                                                 " %d); is the parent newer than the worker?" % (rid, PROTOCOL_VERSION))
            return None
        if not self.welcomed:
            self.send_error(rid, "UNEXPECTED_KIND", "%s before the handshake completed" % kind)
            return None
        if kind == "ping":
            self.on_ping(rid, envelope.ping)
        elif kind == "task":
            self.on_task(rid, envelope.task)
        elif kind == "cancel":
            self.on_cancel(envelope.cancel)
        elif kind == "status_request":
            self.on_status(rid)
        elif kind == "shutdown":
            return self.on_shutdown(rid, envelope.shutdown)
        return None

    def on_welcome(self, welcome):
        if self.welcomed:
            self.send_error(0, "UNEXPECTED_KIND", "a second welcome; the handshake is already done")
            return None
        self.welcomed = True
        if welcome.max_frame_bytes:
            self.channel.max_frame_bytes = min(self.channel.max_frame_bytes, welcome.max_frame_bytes)
        log("welcomed by parent pid %d; heartbeat every %d ms" % (welcome.parent_pid, welcome.heartbeat_interval_ms))
        if welcome.heartbeat_interval_ms > 0:
            threading.Thread(target=self.heartbeats, args=(welcome.heartbeat_interval_ms / 1000.0,),
                             name="heartbeat", daemon=True).start()
        return None

    def heartbeats(self, interval):
        sequence = 0
        while not self.heartbeat_stop.wait(interval):
            sequence += 1
            try:
                self.send(heartbeat=self.pb.Heartbeat(sequence=sequence, send_nanos=time.monotonic_ns(),
                                                      thread_count=threading.active_count()))
            except OSError:
                return

    def on_ping(self, rid, ping):
        if rid == 0:
            self.served += 1  # one-way: counted, never answered
            return
        received = time.monotonic_ns()
        self.send(request_id=rid, pong=self.pb.Pong(payload=ping.payload, parent_send_nanos=ping.parent_send_nanos,
                                                    worker_receive_nanos=received,
                                                    worker_send_nanos=time.monotonic_ns()))
        self.served += 1
        self.pings += 1

    def on_task(self, rid, task):
        handler = self.tasks.get(task.kind)
        if handler is None:
            self.send_error(rid, "UNKNOWN_TASK_KIND", "no task kind '%s' in this worker; it knows %s"
                            % (task.kind, sorted(self.tasks)))
            return
        with self.running_lock:
            if len(self.running) >= MAX_RUNNING:
                refuse = ("OVERLOADED", "task %d (%s) refused: %d tasks are running, the limit is %d"
                          % (rid, task.kind, len(self.running), MAX_RUNNING))
            elif rid in self.running:
                refuse = ("UNEXPECTED_KIND", "task %d is already running; request ids are never reused" % rid)
            else:
                refuse = None
                cancelled = threading.Event()
                self.running[rid] = cancelled
                self.tasks_started += 1
                self.served += 1
        if refuse:
            self.send_error(rid, *refuse)
            return
        if task.deadline_ms > 0:
            timer = threading.Timer(task.deadline_ms / 1000.0, self.drop, args=(
                rid, "DEADLINE_EXCEEDED", "task %d (%s) ran past its deadline of %d ms"
                % (rid, task.kind, task.deadline_ms)))
            timer.daemon = True
            timer.start()
        threading.Thread(target=self.run_task, args=(rid, task, handler, cancelled), name="task-%d" % rid,
                         daemon=True).start()

    def claim(self, rid):
        """Takes task rid's entry; only the taker may answer it, so each task gets exactly one answer."""
        with self.running_lock:
            return self.running.pop(rid, None)

    def run_task(self, rid, task, handler, cancelled):
        start = time.monotonic_ns()
        try:
            output = handler(task.payload, cancelled)
        except TaskFailed as e:
            if self.claim(rid) is not None:
                self.tasks_failed += 1
                self.send_error(rid, e.code or "TASK_FAILED", "task %d (%s) failed: %s" % (rid, task.kind, e))
            return
        except Exception as e:  # a handler's bug: the parent gets the reason, the worker goes on
            if self.claim(rid) is not None:
                self.tasks_failed += 1
                self.send_error(rid, "TASK_FAILED", "task %d (%s) failed in the worker: %r" % (rid, task.kind, e))
            return
        end = time.monotonic_ns()
        if self.claim(rid) is None:
            return  # cancelled or overdue, and answered already
        self.tasks_completed += 1
        self.send(request_id=rid, task_result=self.pb.TaskResult(
            payload=output, start_nanos=start, end_nanos=end, tid=threading.get_native_id(),
            thread_name=threading.current_thread().name))

    def drop(self, rid, code, message):
        cancelled = self.claim(rid)
        if cancelled is None:
            return False  # finished already, or never here: nothing to answer
        cancelled.set()
        self.tasks_failed += 1
        self.send_error(rid, code, message)
        return True

    def on_cancel(self, cancel):
        self.drop(cancel.task_request_id, "CANCELLED", "task %d cancelled: %s" % (cancel.task_request_id,
                                                                                  cancel.reason))

    def on_status(self, rid):
        ch = self.channel
        self.send(request_id=rid, worker_status=self.pb.WorkerStatus(
            frames_received=ch.frames_in, frames_sent=ch.frames_out, bytes_received=ch.bytes_in,
            bytes_sent=ch.bytes_out, tasks_started=self.tasks_started, tasks_completed=self.tasks_completed,
            tasks_failed=self.tasks_failed, tasks_in_flight=len(self.running), pings_answered=self.pings,
            thread_count=threading.active_count(),
            uptime_ms=int((time.monotonic() - self.started) * 1000)))

    def on_shutdown(self, rid, shutdown):
        log("shutdown requested: %s" % shutdown.reason)
        self.heartbeat_stop.set()
        self.send(request_id=rid, goodbye=self.pb.Goodbye(requests_served=self.served))
        return OK


def read_settings():
    env = os.environ
    token = env.get("IPCLAB_TOKEN", "")
    if len(token) < 32:
        raise ValueError("expected a token of at least 32 hex digits in IPCLAB_TOKEN, found %s"
                         % ("%d characters" % len(token) if token else "none"))
    try:
        worker_id = int(env.get("IPCLAB_WORKER_ID", ""))
        max_frame = int(env.get("IPCLAB_MAX_FRAME_BYTES", str(16 * 1024 * 1024)))
    except ValueError:
        raise ValueError("IPCLAB_WORKER_ID and IPCLAB_MAX_FRAME_BYTES must be numbers; workers are started by"
                         " an ipclab parent")
    if worker_id < 1:
        raise ValueError("IPCLAB_WORKER_ID must be 1 or more, got %d" % worker_id)
    transport = env.get("IPCLAB_TRANSPORT", "pipe")
    if transport not in ("pipe", "uds", "tcp"):
        raise ValueError("transport %s is not served by this worker; use pipe, uds or tcp" % transport)
    connect = env.get("IPCLAB_CONNECT")
    if transport != "pipe" and not connect:
        raise ValueError("transport %s needs IPCLAB_CONNECT, the address the parent listens on" % transport)
    return {"token": token, "worker_id": worker_id, "max_frame_bytes": max_frame, "transport": transport,
            "connect": connect}


def watch_parent(watch_stdin):
    """Exits with status 5 when the parent is gone: stdin at end of file (sockets), or getppid() changed."""
    parent = os.getppid()

    def stdin_watch():
        while True:
            try:
                if not os.read(0, 4096):
                    break
            except OSError:
                break
        log("stdin reached end of file: the parent is gone; exiting")
        os._exit(PARENT_GONE)

    def pid_watch():
        while os.getppid() == parent:
            time.sleep(0.25)
        log("parent pid %d is gone; exiting" % parent)
        os._exit(PARENT_GONE)

    if watch_stdin:
        threading.Thread(target=stdin_watch, name="stdin-watch", daemon=True).start()
    threading.Thread(target=pid_watch, name="parent-watch", daemon=True).start()


def connect(settings, protocol_out_fd):
    if settings["transport"] == "pipe":
        def write(data):
            view = memoryview(data)
            while view:
                view = view[os.write(protocol_out_fd, view):]
        return Channel(0, write, settings["max_frame_bytes"])
    if settings["transport"] == "uds":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(settings["connect"])
    else:
        host, _, port = settings["connect"].rpartition(":")
        sock = socket.create_connection((host, int(port)))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return Channel(sock, sock.sendall, settings["max_frame_bytes"])


def main(worker_class=Worker, tasks=None, watch_stdin=True):
    # First: fd 1 carries frames and nothing else. Keep a private copy of it for the frames, and point fd 1 (and
    # sys.stdout) at stderr, so that any print, here or in a library, lands in the log instead of the protocol.
    protocol_out = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        settings = read_settings()
    except ValueError as e:
        log("bad settings: %s" % e)
        return BAD_CONFIGURATION
    try:
        pb = load_messages()
    except SystemExit as e:
        log(str(e))
        return BAD_CONFIGURATION
    watch_parent(watch_stdin and settings["transport"] != "pipe")
    try:
        channel = connect(settings, protocol_out)
    except OSError as e:
        log("cannot reach the parent over %s at %s: %s" % (settings["transport"], settings["connect"], e))
        return PROTOCOL_ERROR
    worker = worker_class(pb, settings, channel, tasks)
    try:
        status = worker.serve()
    except OSError as e:
        log("the channel to the parent failed: %s" % e)
        status = PROTOCOL_ERROR
    log("exiting with status %d" % status)
    return status


if __name__ == "__main__":
    if sys.argv[1:] == ["--generate"]:
        generate()
        sys.exit(0)
    # os._exit: task and watch threads must not keep a worker alive that decided to go.
    sys.stderr.flush()
    os._exit(main())
