package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.TransportKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker's command line, as ps and pgrep show it. */
class WorkerCommandTest {
  private static final Path JAR = Path.of("/opt/ipclab/ipclab-worker.jar");

  @Test
  void socketWorkerCommandCarriesEverySettingAndEndsWithTheMainClass() {
    List<String> cmd = WorkerCommand.build(JAR, 3, TransportKind.UDS, IdleStrategy.BLOCK, "/tmp/ipclab-1-2/ipc.sock", 65536, List.of());

    assertThat(cmd).contains(
        "-Dipclab.role=worker",
        "-Dipclab.worker.id=3",
        "-Dipclab.transport=uds",
        "-Dipclab.connect=/tmp/ipclab-1-2/ipc.sock",
        "-Dipclab.maxFrameBytes=65536");
    assertThat(cmd).containsSubsequence("-cp", JAR.toString(), "dev.ipclab.worker.WorkerMain");
    assertThat(cmd.getLast()).isEqualTo("dev.ipclab.worker.WorkerMain");
    assertThat(cmd.get(cmd.size() - 3)).isEqualTo("-cp");
    assertThat(cmd.getFirst()).isEqualTo(WorkerCommand.javaBinary());
  }

  @Test
  void pipeWorkerHasNoConnectAddress() {
    List<String> cmd = WorkerCommand.build(JAR, 1, TransportKind.PIPE, IdleStrategy.BLOCK, null, 1024, List.of());

    assertThat(cmd).contains("-Dipclab.transport=pipe", "-Dipclab.worker.id=1")
        .noneMatch(arg -> arg.startsWith("-Dipclab.connect"));
  }

  @Test
  void footprintFlagsComeFirstAndExtraJvmArgsAfterThemSoTheyWin() {
    List<String> cmd = WorkerCommand.build(JAR, 1, TransportKind.TCP, IdleStrategy.BLOCK, "127.0.0.1:4000", 1024,
        List.of("-Xmx64m", "-Dfoo=bar"));

    assertThat(cmd).containsSubsequence("-Xmx256m", "-Xmx64m", "-Dfoo=bar", "-cp");
    assertThat(cmd).containsAll(WorkerCommand.FOOTPRINT_FLAGS);
    // The JVM's own warnings must not go to stdout, the protocol pipe.
    assertThat(cmd).containsSubsequence("-Xlog:disable", "-Xlog:all=warning:stderr");
  }

  @Test
  void tokenIsNeverOnTheCommandLine() {
    List<String> cmd = WorkerCommand.build(JAR, 1, TransportKind.TCP, IdleStrategy.BLOCK, "127.0.0.1:4000", 1024, List.of());

    // The token travels in the environment (IPCLAB_TOKEN), which ps does not show; argv is world-readable.
    assertThat(cmd).noneMatch(arg -> arg.toLowerCase(java.util.Locale.ROOT).contains("token"));
  }

  @Test
  void javaBinaryIsTheRunningJvmsExecutable() {
    Path java = Path.of(WorkerCommand.javaBinary());

    assertThat(Files.isExecutable(java)).isTrue();
    assertThat(java.getFileName().toString()).isEqualTo("java");
    ProcessHandle.current().info().command()
        .ifPresent(running -> assertThat(java.toString()).isEqualTo(running));
  }

  @Test
  void aotCacheFlagOnlyWhenTheCacheFileExistsNextToTheJar(@TempDir Path dir) throws Exception {
    Path jar = Files.createFile(dir.resolve("ipclab-worker.jar"));
    List<String> without = WorkerCommand.build(jar, 1, TransportKind.PIPE, IdleStrategy.BLOCK, null, 1024, List.of());
    assertThat(without).noneMatch(arg -> arg.startsWith("-XX:AOTCache"));

    Path pipeCache = Files.createFile(dir.resolve("ipclab-worker-pipe.aot"));
    List<String> pipe = WorkerCommand.build(jar, 1, TransportKind.PIPE, IdleStrategy.BLOCK, null, 1024, List.of());
    List<String> tcp = WorkerCommand.build(jar, 1, TransportKind.TCP, IdleStrategy.BLOCK, "127.0.0.1:4000", 1024,
        List.of());

    assertThat(pipe).containsSubsequence("-XX:+UseSerialGC", "-XX:AOTCache=" + pipeCache, "-cp", jar.toString());
    // The pipe cache has no Netty in it; a socket worker waits for its own.
    assertThat(tcp).noneMatch(arg -> arg.startsWith("-XX:AOTCache"));

    Path socketCache = Files.createFile(dir.resolve("ipclab-worker-socket.aot"));
    assertThat(WorkerCommand.build(jar, 1, TransportKind.UDS, IdleStrategy.BLOCK, "/tmp/x.sock", 1024, List.of()))
        .contains("-XX:AOTCache=" + socketCache);
  }

  @Test
  void aotCacheOlderThanAJarOfTheClassPathIsLeftOut(@TempDir Path dir) throws Exception {
    Path jar = Files.createFile(dir.resolve("ipclab-worker.jar"));
    Path lib = Files.createDirectory(dir.resolve("lib"));
    Path dependency = Files.createFile(lib.resolve("ipc-proto.jar"));
    Path cache = Files.createFile(dir.resolve("ipclab-worker-pipe.aot"));
    long trained = 1_000_000_000_000L;
    Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(trained - 60_000));
    Files.setLastModifiedTime(dependency, java.nio.file.attribute.FileTime.fromMillis(trained - 60_000));
    Files.setLastModifiedTime(cache, java.nio.file.attribute.FileTime.fromMillis(trained));
    assertThat(WorkerCommand.build(jar, 1, TransportKind.PIPE, IdleStrategy.BLOCK, null, 1024, List.of()))
        .contains("-XX:AOTCache=" + cache);

    // A rebuilt dependency: the cache may hold its old classes.
    Files.setLastModifiedTime(dependency, java.nio.file.attribute.FileTime.fromMillis(trained + 60_000));
    assertThat(WorkerCommand.build(jar, 1, TransportKind.PIPE, IdleStrategy.BLOCK, null, 1024, List.of()))
        .noneMatch(arg -> arg.startsWith("-XX:AOTCache"));
  }

  @Test
  void aotCacheIsLeftOutWhenTheExtraArgsChooseClassDataSharingThemselves(@TempDir Path dir) throws Exception {
    Path jar = Files.createFile(dir.resolve("ipclab-worker.jar"));
    Files.createFile(dir.resolve("ipclab-worker-pipe.aot"));

    for (String own : List.of("-XX:AOTMode=off", "-XX:AOTCacheOutput=/tmp/x.aot", "-Xshare:off",
        "-XX:AOTCache=/elsewhere.aot")) {
      List<String> cmd = WorkerCommand.build(jar, 1, TransportKind.PIPE, IdleStrategy.BLOCK, null, 1024, List.of(own));
      assertThat(cmd).as("with %s", own).noneMatch(arg -> arg.startsWith("-XX:AOTCache=" + dir));
    }
  }
}
