package dev.ipclab.cli.chaos;

import dev.ipclab.parent.ParentRecord;
import dev.ipclab.demos.os.ProcStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a closed pool may not leave behind, read from the OS: processes carrying this run's marker on their command
 * line, worker pids still alive, zombie children, the run directory with its socket, the parent record and
 * control socket, and {@code /dev/shm/ipclab-*} files of this parent.
 */
final class Leftovers {
  /** The JVM's reaper thread and the kernel need a moment after close; leftovers must outlast this. */
  private static final long GRACE_MILLIS = 3_000;

  private final String marker;
  private final Map<Long, Optional<Instant>> seenWorkers;
  private final Path runDirectory;
  private final long parentPid = ProcessHandle.current().pid();

  /**
   * @param marker a string on every worker's command line of this run, and on no other process's
   * @param seenWorkers every worker pid the run saw, with its start time (so a reused pid is not blamed)
   */
  Leftovers(String marker, Map<Long, Optional<Instant>> seenWorkers, Path runDirectory) {
    this.marker = marker;
    this.seenWorkers = seenWorkers;
    this.runDirectory = runDirectory;
  }

  /** The invariants about leftovers, waiting up to a few seconds for things that are on their way out. */
  List<Invariant> check() throws InterruptedException {
    long deadline = System.nanoTime() + GRACE_MILLIS * 1_000_000;
    List<Invariant> result = checkOnce();
    while (result.stream().anyMatch(i -> !i.pass()) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      result = checkOnce();
    }
    return result;
  }

  private List<Invariant> checkOnce() {
    List<String> marked = markedProcesses();
    List<Long> alive = seenWorkers.entrySet().stream()
        .filter(e -> ProcessHandle.of(e.getKey())
            .filter(ProcessHandle::isAlive)
            .filter(h -> e.getValue().isEmpty() || h.info().startInstant().equals(e.getValue()))
            .isPresent())
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
    List<Long> zombies = ProcessHandle.current().children()
        .map(ProcessHandle::pid)
        .filter(pid -> ProcStatus.read(pid).map(s -> s.state().startsWith("Z")).orElse(false))
        .toList();
    List<String> files = new ArrayList<>();
    for (Path p : List.of(runDirectory, ParentRecord.file(parentPid), ParentRecord.controlSocket(parentPid))) {
      if (Files.exists(p)) {
        files.add(p.toString());
      }
    }
    List<String> shm = shmFiles();
    return List.of(
        Invariant.check("no orphan: no process with this run's marker", marked.isEmpty(),
            marked.isEmpty() ? "none of /proc/*/cmdline contains " + marker : "still running: " + marked),
        Invariant.check("no worker alive after close", alive.isEmpty(),
            alive.isEmpty() ? "all " + seenWorkers.size() + " worker pids seen are gone" : "alive: " + alive),
        Invariant.check("no zombie children", zombies.isEmpty(),
            zombies.isEmpty() ? "no child of pid " + parentPid + " in state Z" : "zombies: " + zombies),
        Invariant.check("no leftover run directory, socket or record", files.isEmpty(),
            files.isEmpty() ? runDirectory + " and the parent record are gone" : "left: " + files),
        Invariant.check("no /dev/shm/ipclab-* file of this parent", shm.isEmpty(),
            shm.isEmpty() ? "none for pid " + parentPid : "left: " + shm));
  }

  private List<String> markedProcesses() {
    List<String> found = new ArrayList<>();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path proc : procs) {
        try {
          String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
          if (cmdline.contains(marker)) {
            found.add(proc.getFileName() + " " + cmdline.replace('\0', ' ').strip());
          }
        } catch (IOException e) {
          // gone between the listing and the read: not a leftover
        }
      }
    } catch (IOException e) {
      found.add("(cannot list /proc: " + e.getMessage() + ")");
    }
    return found;
  }

  /** {@code /dev/shm/ipclab-*} files whose name carries this parent's pid as one of its dash-separated parts. */
  private List<String> shmFiles() {
    Path shm = Path.of("/dev/shm");
    List<String> found = new ArrayList<>();
    if (!Files.isDirectory(shm)) {
      return found;
    }
    String pid = Long.toString(parentPid);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(shm, "ipclab-*")) {
      for (Path f : files) {
        if (List.of(f.getFileName().toString().split("[-.]")).contains(pid)) {
          found.add(f.toString());
        }
      }
    } catch (IOException e) {
      found.add("(cannot list /dev/shm: " + e.getMessage() + ")");
    }
    return found;
  }
}
