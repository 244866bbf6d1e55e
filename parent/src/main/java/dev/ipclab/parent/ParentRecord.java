package dev.ipclab.parent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ipclab.parent.control.ControlServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The record a parent JVM keeps of itself while it has live pools: {@code $TMPDIR/ipclab-parents/<pid>.json}
 * (directory 0700, file 0600), so that {@code ipclab inspect} and {@code scripts/ipclab-stop} find parents without
 * {@code pgrep -f}, and can tell a recycled pid from the parent by its start time (field 22 of /proc/pid/stat).
 * The control socket {@code <pid>.sock} beside it, for {@code ipclab top}, lives exactly as long as the record.
 */
public final class ParentRecord {
  private static final Logger log = Logger.getLogger(ParentRecord.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final List<WorkerPool> POOLS = new ArrayList<>();
  private static boolean hookAdded;
  private static ControlServer control;

  private ParentRecord() {}

  /**
   * One parent's record as a reader finds it.
   *
   * @param pid the parent's pid
   * @param startTicks its start time in clock ticks after boot, as recorded
   * @param json the whole record
   */
  public record Entry(long pid, long startTicks, JsonNode json) {}

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
        control = ControlServer.open(controlSocket(ProcessHandle.current().pid()), ParentRecord::pools);
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
  }

  private static void write() {
    long pid = ProcessHandle.current().pid();
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("pid", pid);
    record.put("start_ticks", startTicks(pid).orElse(-1L));
    record.put("command_line", ProcessHandle.current().info().commandLine().orElse("?"));
    if (control != null) {
      record.put("control_socket", control.path().toString());
    }
    List<Map<String, Object>> pools = new ArrayList<>();
    for (WorkerPool pool : POOLS) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("transport", pool.transport().name().toLowerCase(java.util.Locale.ROOT));
      p.put("endpoint", pool.endpoint());
      p.put("run_directory", pool.runDirectory().toString());
      p.put("workers", pool.workers().stream().map(w -> Map.of("id", w.id(), "pid", w.pid())).toList());
      pools.add(p);
    }
    record.put("pools", pools);
    Path dir = directory();
    try {
      // Written aside and moved into place, so a reader never sees half a record.
      Path tmp = Files.createTempFile(dir, "." + pid + "-", ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, JSON.writeValueAsString(record), StandardCharsets.UTF_8);
      Files.move(tmp, file(pid), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      // Inspection is a convenience: a parent whose record cannot be written still runs its workers.
      log.log(Level.WARNING, "could not write the parent record in " + dir + "; ipclab inspect will not find this"
          + " parent without its pid", e);
    }
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

  private static Optional<Entry> read(Path f) {
    JsonNode json;
    try {
      json = JSON.readTree(Files.readString(f));
    } catch (IOException e) {
      return Optional.empty(); // removed while we read, or not ours to read
    }
    long pid = json.path("pid").asLong(-1);
    long ticks = json.path("start_ticks").asLong(-1);
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
