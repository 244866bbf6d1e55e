package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parent's private 0700 run directory, its removal, and the sweep of directories left by dead parents. */
class RunDirectoryTest {
  /** Above the kernel's PID_MAX_LIMIT (2^22), so no process can ever have it. */
  private static final long NEVER_A_PID = 4_194_304L;

  @TempDir
  Path tmp;

  private String savedTmpdir;

  @BeforeEach
  void useOwnTmpdir() {
    savedTmpdir = System.getProperty("java.io.tmpdir");
    System.setProperty("java.io.tmpdir", tmp.toString());
  }

  @AfterEach
  void restoreTmpdir() {
    System.setProperty("java.io.tmpdir", savedTmpdir);
  }

  @Test
  void createsAPrivateDirectoryNamedAfterThisPidAndCloseDeletesItWithItsContents() throws IOException {
    Path dir;
    try (RunDirectory run = RunDirectory.create(false)) {
      dir = run.path();
      assertThat(dir.getParent()).isEqualTo(tmp);
      assertThat(dir.getFileName().toString()).startsWith("ipclab-" + ProcessHandle.current().pid() + "-");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
      assertThat(run.workerLog(3, 1)).isEqualTo(dir.resolve("worker-3.1.log"));
      assertThat(run.workerLog(3, 2)).as("the slot's next process").isEqualTo(dir.resolve("worker-3.2.log"));
      assertThat(run.socket()).isEqualTo(dir.resolve("ipc.sock"));
      Files.writeString(run.workerLog(3, 1), "started\n");
      Files.createDirectories(dir.resolve("sub/deeper"));
      Files.writeString(dir.resolve("sub/deeper/file"), "x");
    }

    assertThat(dir).doesNotExist();
  }

  @Test
  void closeIsIdempotent() {
    RunDirectory run = RunDirectory.create(false);
    run.close();
    run.close();

    assertThat(run.path()).doesNotExist();
  }

  @Test
  void keptDirectorySurvivesClose() throws IOException {
    RunDirectory run = RunDirectory.create(true);
    try {
      Files.writeString(run.workerLog(1, 1), "kept\n");
      run.close();

      assertThat(run.workerLog(1, 1)).hasContent("kept");
    } finally {
      RunDirectory.deleteTree(run.path());
    }
    assertThat(run.path()).doesNotExist();
  }

  @Test
  void sweepRemovesDirectoriesOfDeadParentsAndKeepsEverythingElse() throws IOException {
    Path dead = Files.createDirectory(tmp.resolve("ipclab-" + NEVER_A_PID + "-x"));
    Files.createDirectories(dead.resolve("nested"));
    Files.writeString(dead.resolve("worker-1.log"), "left behind\n");
    Files.writeString(dead.resolve("nested/ipc.sock"), "");
    Path live = Files.createDirectory(tmp.resolve("ipclab-" + ProcessHandle.current().pid() + "-y"));
    Path notAPid = Files.createDirectory(tmp.resolve("ipclab-abc-z"));
    Path tooFewParts = Files.createDirectory(tmp.resolve("ipclab-" + NEVER_A_PID));
    Path plainFile = Files.writeString(tmp.resolve("ipclab-" + NEVER_A_PID + "-file"), "not a directory");
    Path otherPrefix = Files.createDirectory(tmp.resolve("other-" + NEVER_A_PID + "-x"));

    RunDirectory.sweepStale(tmp);

    assertThat(dead).doesNotExist();
    assertThat(live).isDirectory();
    assertThat(notAPid).isDirectory();
    assertThat(tooFewParts).isDirectory();
    assertThat(plainFile).isRegularFile();
    assertThat(otherPrefix).isDirectory();
  }

  @Test
  void sweepOfAMissingDirectoryDoesNothing() {
    Path missing = tmp.resolve("nope");

    RunDirectory.sweepStale(missing);

    assertThat(missing).doesNotExist();
  }

  @Test
  void createSweepsStaleDirectoriesFirst() throws IOException {
    Path dead = Files.createDirectory(tmp.resolve("ipclab-" + NEVER_A_PID + "-old"));

    try (RunDirectory run = RunDirectory.create(false)) {
      assertThat(dead).doesNotExist();
      assertThat(run.path()).isDirectory();
    }
  }

  @Test
  void keptDirectoryIsMarkedAtCreationSoTheSweepSparesItEvenIfItsParentDiedUnclosed() throws IOException {
    RunDirectory kept = RunDirectory.create(true); // never closed: as if its parent were killed with SIGKILL
    Path deadParentsDir = tmp.resolve("ipclab-" + NEVER_A_PID + "-kept");
    Files.move(kept.path(), deadParentsDir);
    Path unkept = Files.createDirectory(tmp.resolve("ipclab-" + NEVER_A_PID + "-plain"));

    RunDirectory.sweepStale(tmp);

    assertThat(deadParentsDir.resolve(RunDirectory.KEEP_MARKER)).exists();
    assertThat(unkept).doesNotExist();
  }

  @Test
  void shmFilesAreNamedAfterTheRunAndRemovedAtCloseEvenWhenLogsAreKept() throws IOException {
    RunDirectory run = RunDirectory.create(true);
    Path shm;
    try {
      shm = run.newShmFile(2);
      assertThat(shm.getParent()).isEqualTo(Path.of("/dev/shm"));
      assertThat(shm.getFileName().toString()).startsWith(run.path().getFileName() + "-worker-2-");
      assertThat(run.newShmFile(2)).as("a restarted worker gets a new file").isNotEqualTo(shm);
      Files.writeString(shm, "rings");
      run.close();
      assertThat(shm).doesNotExist();
    } finally {
      RunDirectory.deleteTree(run.path());
    }
  }

  @Test
  void shmSweepRemovesFilesOfDeadParentsOnly() throws IOException {
    Path dead = Files.writeString(tmp.resolve("ipclab-" + NEVER_A_PID + "-x-worker-1-ab"), "left behind");
    Path alive = Files.writeString(tmp.resolve("ipclab-" + ProcessHandle.current().pid() + "-y-worker-1-cd"), "");
    Path foreign = Files.writeString(tmp.resolve("ipclab-test-z"), "");

    RunDirectory.sweepStaleShmFiles(tmp);

    assertThat(dead).doesNotExist();
    assertThat(alive).exists();
    assertThat(foreign).exists();
  }
}
