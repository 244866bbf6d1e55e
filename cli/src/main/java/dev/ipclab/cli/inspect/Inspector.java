package dev.ipclab.cli.inspect;

import dev.ipclab.parent.ParentRecord;
import dev.ipclab.cli.inspect.Snapshot.FdInfo;
import dev.ipclab.cli.inspect.Snapshot.ProcessInfo;
import dev.ipclab.cli.inspect.Snapshot.ThreadInfo;
import dev.ipclab.demos.os.CpuTimes;
import dev.ipclab.demos.os.JavaThreads;
import dev.ipclab.demos.os.ProcFds;
import dev.ipclab.demos.os.ProcMaps;
import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.demos.os.TaskSched;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Takes a {@link Snapshot} of a parent and its child processes from /proc, {@code jcmd} and {@code ss}. */
public final class Inspector {
  private static final Pattern ROLE = Pattern.compile("-Dipclab\\.role=(\\w+)");
  private static final Pattern WORKER_ID = Pattern.compile("-Dipclab\\.worker\\.id=(\\d+)");
  /** jcmd takes about 0.5 s per JVM on an idle machine; much longer on a loaded 2-core one. */
  private static final long JCMD_TIMEOUT_MILLIS = 15_000;

  private Inspector() {}

  /** Inspects {@code parentPid} and its children; an IOException if the process is not there. */
  public static Snapshot inspect(long parentPid, boolean withJavaNames) throws IOException {
    ProcessHandle parent = ProcessHandle.of(parentPid).filter(ProcessHandle::isAlive).orElseThrow(
        () -> new IOException("no process with pid " + parentPid + "; ipclab inspect lists the running parents"));
    List<Long> pids = new ArrayList<>();
    pids.add(parentPid);
    parent.children().map(ProcessHandle::pid).sorted().forEach(pids::add);
    List<String> notes = Collections.synchronizedList(new ArrayList<>());
    Map<Long, Map<Long, String>> javaNames = withJavaNames ? javaNames(pids, notes) : Map.of();
    List<ProcessInfo> processes = new ArrayList<>();
    for (long pid : pids) {
      read(pid, javaNames.getOrDefault(pid, Map.of())).ifPresent(processes::add);
    }
    var record = ParentRecord.of(parentPid);
    List<String> transports = new ArrayList<>();
    String endpoint = "";
    if (record.isPresent()) {
      for (var pool : dev.ipclab.cli.RecordedParents.json(record.get()).path("pools")) {
        transports.add(pool.path("transport").asText());
        endpoint = pool.path("endpoint").asText();
      }
    } else {
      notes.add("pid " + parentPid + " has no live record in " + ParentRecord.directory()
          + ": it is not a running ipclab parent with workers");
    }
    var channels = ChannelPairing.pair(processes, endpoint, notes);
    return new Snapshot(parentPid, record.isPresent(), transports, processes, channels, List.copyOf(notes));
  }

  /** Runs jcmd on every JVM at once (each takes ~0.5 s); a JVM jcmd cannot read gets a note, not a failure. */
  private static Map<Long, Map<Long, String>> javaNames(List<Long> pids, List<String> notes) {
    Map<Long, Map<Long, String>> names = new java.util.concurrent.ConcurrentHashMap<>();
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      List<CompletableFuture<Void>> runs = new ArrayList<>();
      for (long pid : pids) {
        runs.add(CompletableFuture.runAsync(() -> {
          try {
            names.put(pid, JavaThreads.names(pid, JCMD_TIMEOUT_MILLIS));
          } catch (IOException e) {
            notes.add("no Java thread names for pid " + pid + ": " + e.getMessage());
          }
        }, executor));
      }
      runs.forEach(CompletableFuture::join);
    }
    return names;
  }

  private static java.util.Optional<ProcessInfo> read(long pid, Map<Long, String> javaNames) {
    var status = ProcStatus.read(pid);
    if (status.isEmpty()) {
      return java.util.Optional.empty(); // exited while we looked
    }
    String cmdline = cmdline(pid);
    Matcher role = ROLE.matcher(cmdline);
    Matcher id = WORKER_ID.matcher(cmdline);
    List<FdInfo> fds = ProcFds.list(pid).stream().filter(f -> !f.kind().equals("file"))
        .map(f -> new FdInfo(f.fd(), f.kind(), f.inode(), f.target())).toList();
    ProcStatus s = status.get();
    return java.util.Optional.of(new ProcessInfo(pid, s.ppid(), role.find() ? role.group(1) : "?",
        id.find() ? Integer.valueOf(id.group(1)) : null, cmdline, s.state(), s.rssKib(),
        CpuTimes.processTicks(pid) * 1000 / CpuTimes.TICKS_PER_SECOND, s.threads(), threads(pid, javaNames), fds,
        mappings(pid)));
  }

  private static String cmdline(long pid) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
    } catch (IOException e) {
      return "?";
    }
  }

  private static List<ThreadInfo> threads(long pid, Map<Long, String> javaNames) {
    List<ThreadInfo> threads = new ArrayList<>();
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks.toList()) {
        long tid = Long.parseLong(task.getFileName().toString());
        String comm;
        try {
          comm = Files.readString(task.resolve("comm")).strip();
        } catch (IOException e) {
          continue; // the thread ended while we listed
        }
        var sched = TaskSched.read(pid, tid);
        threads.add(new ThreadInfo(tid, comm, javaNames.get(tid), String.valueOf(TaskSched.stateLetter(pid, tid)),
            sched.map(t -> t.onCpuNanos() / 1e6).orElse(-1.0), sched.map(t -> t.runQueueNanos() / 1e6).orElse(-1.0)));
      }
    } catch (IOException e) {
      return List.of();
    }
    threads.sort(java.util.Comparator.comparingLong(ThreadInfo::tid));
    return threads;
  }

  /** Shared-memory files and ipclab's own files mapped into {@code pid}. */
  private static List<String> mappings(long pid) {
    try {
      return ProcMaps.read(pid).orElse(List.of()).stream()
          .filter(m -> m.path().startsWith("/dev/shm/") || m.path().contains("/ipclab-"))
          .map(m -> m.path() + (m.deleted() ? " (deleted)" : "") + " " + m.perms() + " " + m.size() / 1024 + " KiB")
          .distinct().toList();
    } catch (IOException | IllegalArgumentException e) {
      return List.of();
    }
  }
}
