package dev.ipclab.parent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The record a parent JVM keeps of itself while it has live pools: {@code $TMPDIR/ipclab-parents/<pid>.json}
 * (directory 0700, file 0600), so that {@code ipclab inspect} and {@code scripts/ipclab-stop} find parents without
 * {@code pgrep -f}, and can tell a recycled pid from the parent by its start time (field 22 of /proc/pid/stat).
 * The control socket {@code <pid>.sock} beside it, for {@code ipclab top}, lives exactly as long as the record.
 * Only pools built with {@link WorkerPoolBuilder#inspectable(boolean)} appear in it.
 */
public final class ParentRecord {
  private static final Logger log = Logger.getLogger(ParentRecord.class.getName());
  private static final List<WorkerPool> POOLS = new ArrayList<>();
  private static boolean hookAdded;
  private static ControlServer control;

  private ParentRecord() {}

  /**
   * One parent's record as a reader finds it.
   *
   * @param pid the parent's pid
   * @param startTicks its start time in clock ticks after boot, as recorded
   * @param json the whole record, a JSON object: pid, start_ticks, command_line, control_socket, and pools (each
   *     with transport, endpoint, run_directory and workers, each worker with id and pid)
   */
  public record Entry(long pid, long startTicks, String json) {}

  /** Where the records live: {@code $TMPDIR/ipclab-parents}, {@code /tmp/ipclab-parents} without TMPDIR. */
  public static Path directory() {
    String tmp = System.getenv("TMPDIR");
    return Path.of(tmp == null || tmp.isBlank() ? "/tmp" : tmp, "ipclab-parents");
  }

  /** The record file of {@code pid}. */
  public static Path file(long pid) {
    return directory().resolve(pid + ".json");
  }

  /** The control socket of {@code pid}. */
  public static Path controlSocket(long pid) {
    return directory().resolve(pid + ".sock");
  }

  /** Adds {@code pool} to this process's record, creating the record and the control socket with the first pool. */
  static synchronized void poolStarted(WorkerPool pool) {
    POOLS.add(pool);
    if (!hookAdded) {
      hookAdded = true;
      // Pools remove themselves on close; this also covers a JVM that exits with a pool still open.
      Runtime.getRuntime().addShutdownHook(new Thread(ParentRecord::removeOwn, "ipclab-parent-record"));
    }
    ensureDirectory();
    if (control == null) {
      live(); // sweeps the records and sockets of parents killed with -9, which could not remove their own
      try {
        control = openControl();
      } catch (IOException | RuntimeException e) {
        // Like the record, a convenience: the workers run without it, only `ipclab top` cannot reach them.
        log.log(Level.WARNING, "could not open the control socket " + controlSocket(ProcessHandle.current().pid())
            + "; ipclab top will not reach this parent", e);
      }
    }
    write();
  }

  /** A pool replaced a worker: the record lists the new pid. */
  static synchronized void workersChanged(WorkerPool pool) {
    if (POOLS.contains(pool)) {
      write();
    }
  }

  private static synchronized List<WorkerPool> pools() {
    return List.copyOf(POOLS);
  }

  /** Removes {@code pool}; the record goes away with the last pool. */
  static synchronized void poolClosed(WorkerPool pool) {
    if (!POOLS.remove(pool)) {
      return;
    }
    if (POOLS.isEmpty()) {
      removeOwn();
    } else {
      write();
    }
  }

  private static synchronized void removeOwn() {
    if (control != null) {
      control.close();
      control = null;
    }
    try {
      Files.deleteIfExists(file(ProcessHandle.current().pid()));
    } catch (IOException e) {
      log.log(Level.WARNING, "could not remove the parent record " + file(ProcessHandle.current().pid()), e);
    }
    try {
      // The last parent out takes the directory with it, so no empty one is left in /tmp; a parent that is
      // creating its record meanwhile finds it gone and makes it again (see write and openControl).
      Files.deleteIfExists(directory());
    } catch (IOException e) {
      // another parent's record or socket is still there
    }
  }

  private static ControlServer openControl() throws IOException {
    Path socket = controlSocket(ProcessHandle.current().pid());
    try {
      return ControlServer.open(socket, ParentRecord::pools);
    } catch (IOException e) {
      if (Files.isDirectory(directory())) {
        throw e;
      }
      ensureDirectory(); // removed by a parent that closed its last pool meanwhile
      return ControlServer.open(socket, ParentRecord::pools);
    }
  }

  private static void write() {
    long pid = ProcessHandle.current().pid();
    StringBuilder json = new StringBuilder("{\n");
    json.append("  \"pid\": ").append(pid).append(",\n");
    json.append("  \"start_ticks\": ").append(startTicks(pid).orElse(-1L)).append(",\n");
    json.append("  \"command_line\": ").append(quote(ProcessHandle.current().info().commandLine().orElse("?")))
        .append(",\n");
    if (control != null) {
      json.append("  \"control_socket\": ").append(quote(control.path().toString())).append(",\n");
    }
    json.append("  \"pools\": [");
    for (int i = 0; i < POOLS.size(); i++) {
      WorkerPool pool = POOLS.get(i);
      json.append(i == 0 ? "\n" : ",\n").append("    {\"transport\": ")
          .append(quote(pool.transport().name().toLowerCase(java.util.Locale.ROOT)))
          .append(", \"endpoint\": ").append(pool.endpoint() == null ? "null" : quote(pool.endpoint()))
          .append(", \"run_directory\": ").append(quote(pool.runDirectory().toString()))
          .append(", \"workers\": [");
      List<PoolWorker> workers = pool.workers();
      for (int w = 0; w < workers.size(); w++) {
        json.append(w == 0 ? "" : ", ").append("{\"id\": ").append(workers.get(w).id()).append(", \"pid\": ")
            .append(workers.get(w).pid()).append('}');
      }
      json.append("]}");
    }
    json.append(POOLS.isEmpty() ? "]\n}\n" : "\n  ]\n}\n");
    Path dir = directory();
    try {
      try {
        writeRecord(dir, pid, json);
      } catch (java.nio.file.NoSuchFileException gone) {
        ensureDirectory(); // removed by a parent that closed its last pool meanwhile
        writeRecord(dir, pid, json);
      }
    } catch (IOException e) {
      // Inspection is a convenience: a parent whose record cannot be written still runs its workers.
      log.log(Level.WARNING, "could not write the parent record in " + dir + "; ipclab inspect will not find this"
          + " parent without its pid", e);
    }
  }

  private static void writeRecord(Path dir, long pid, CharSequence json) throws IOException {
    // Written aside and moved into place, so a reader never sees half a record.
    Path tmp = Files.createTempFile(dir, "." + pid + "-", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, json, StandardCharsets.UTF_8);
    Files.move(tmp, file(pid), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void ensureDirectory() {
    try {
      if (!Files.isDirectory(directory())) {
        Files.createDirectories(directory(),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
    } catch (IOException e) {
      log.log(Level.WARNING, "could not create " + directory(), e);
    }
  }

  /** Field 22 of {@code /proc/<pid>/stat}: when the process started, in ticks after boot; empty if it is gone. */
  public static Optional<Long> startTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the command name (field 2), which may hold spaces and parentheses; field 3 is index 0.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      return Optional.of(Long.parseLong(f[19]));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The records of live parents, by pid. A record whose pid is gone, or now belongs to a process that started at
   * another time (a recycled pid), is stale: it is removed and not returned.
   */
  public static List<Entry> live() {
    List<Entry> live = new ArrayList<>();
    if (!Files.isDirectory(directory())) {
      return live;
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(directory())) {
      files = list.filter(p -> p.getFileName().toString().matches("\\d+\\.json")).sorted().toList();
    } catch (IOException e) {
      return live;
    }
    for (Path f : files) {
      read(f).ifPresent(live::add);
    }
    return live;
  }

  /** The live record of {@code pid}, if that pid is a recorded ipclab parent. */
  public static Optional<Entry> of(long pid) {
    Path f = file(pid);
    return Files.exists(f) ? read(f) : Optional.empty();
  }

  /** A JSON string literal of {@code text}: quotes, backslashes and control characters escaped. */
  static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  private static final java.util.regex.Pattern PID = java.util.regex.Pattern.compile("\"pid\":\\s*(-?\\d+)");
  private static final java.util.regex.Pattern TICKS =
      java.util.regex.Pattern.compile("\"start_ticks\":\\s*(-?\\d+)");

  private static long number(java.util.regex.Pattern field, String json) {
    java.util.regex.Matcher m = field.matcher(json);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private static Optional<Entry> read(Path f) {
    String json;
    try {
      json = Files.readString(f);
    } catch (IOException e) {
      return Optional.empty(); // removed while we read, or not ours to read
    }
    // The record's own top-level pid and start_ticks come first, before any worker's pid.
    long pid = number(PID, json);
    long ticks = number(TICKS, json);
    Optional<Long> now = startTicks(pid);
    if (now.isEmpty() || now.get() != ticks) {
      try {
        Files.deleteIfExists(f);
        Files.deleteIfExists(controlSocket(pid)); // a parent killed with -9 leaves both behind
        log.fine(() -> "removed the stale parent record " + f + " (pid " + pid + " is gone or was reused)");
      } catch (IOException e) {
        // someone else's record: leave it
      }
      return Optional.empty();
    }
    return Optional.of(new Entry(pid, ticks, json));
  }
}
