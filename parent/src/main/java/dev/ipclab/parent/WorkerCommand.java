package dev.ipclab.parent;

import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.protocol.Protocol;
import dev.ipclab.transport.log.ProcessLog;
import dev.ipclab.transport.TransportKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a worker's command line: the running JVM's own {@code java}, small-footprint flags, the settings as
 * {@code -Dipclab.*} (visible to {@code ps} and {@code pgrep -f ipclab.role=worker}), and the worker jar.
 *
 * <p>The flags, and why:
 * <ul>
 *   <li>{@code -XX:+UseSerialGC}: one GC thread and no concurrent GC structures; a worker's heap is small;
 *   <li>{@code -Xms8m -Xmx256m}: start small, cap what one worker can take (override with extra JVM args);
 *   <li>{@code -XX:+UseCompactObjectHeaders}: 8-byte object headers (JDK 25), less heap per message;
 *   <li>{@code -Xss512k}, {@code -XX:ReservedCodeCacheSize=64m}, {@code -XX:MaxMetaspaceSize=96m}: smaller
 *       reservations for a process that runs little code;
 *   <li>{@code -XX:+ExitOnOutOfMemoryError}: a worker out of memory exits and is seen to, instead of limping;
 *   <li>{@code -XX:TrimNativeHeapInterval=1000}: gives back to the OS, every second, the malloc memory the JIT
 *       compilers and Netty's start-up freed; glibc keeps it otherwise (idle tcp worker 72 to 66 MB RSS, measured);
 *   <li>{@code -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0}: maps the AOT cache at the address it
 *       was built for instead of at a random one. Relocated (the JDK's default since 20, for address-space
 *       randomisation), the JVM rewrites every pointer in the cache, so about 8 MB of it become private, dirty
 *       pages in every worker; mapped in place they stay clean file pages that all workers of a machine share.
 *       Measured: anonymous memory of an idle pipe worker 28 to 20 MB, proportional set size (PSS) per worker in
 *       a pool of 4 from 32.4 to 26.6 MB; RSS and spawn time unchanged (RSS counts shared pages too). The price
 *       is that the cache's metadata sits at a known address in every worker; when that address is taken the
 *       JVM relocates as before. Override with {@code -XX:ArchiveRelocationMode=1} in the extra JVM arguments;
 *   <li>{@code -Xlog:disable -Xlog:all=warning:stderr} and {@code -XX:+DisplayVMOutputToStderr}: the JVM writes
 *       its own warnings and the thread dump of {@code kill -3} to stdout by default, which is the protocol pipe;
 *       these send them to the log instead;
 *   <li>{@code --enable-native-access=ALL-UNNAMED}: Netty's native epoll library, without a warning;
 *   <li>{@code -XX:AOTCache=<file>}, when the build made one next to the jar ({@link WorkerAotCache}): classes
 *       come pre-loaded and pre-linked, which halves the time from spawn to ready.
 * </ul>
 *
 * <p>Tried and left out (idle pipe worker, variants interleaved, 5 to 12 spawns each):
 * <ul>
 *   <li>{@code -XX:TieredStopAtLevel=1} (C1 only): 3.3 MB less RSS, one thread less and 28 ms less CPU per spawn,
 *       but no top-tier JIT: a task's xorshift loop ran 8% slower (606 to 558 M iterations/s), ping RTT the same.
 *       Tasks are the user's code, so it is not the default; pools of short-lived workers that run little hot code
 *       can opt in through the extra JVM arguments;
 *   <li>{@code -XX:-UsePerfData}, {@code -Xss256k}, {@code -XX:ReservedCodeCacheSize=16m}, {@code
 *       -XX:MetaspaceSize=4m}, {@code MALLOC_ARENA_MAX=1}: RSS and CPU to ready unchanged (within 0.3 MB and the
 *       noise); {@code -Xms4m} saves 1.3 MB but collects more often while starting.
 * </ul>
 */
final class WorkerCommand {
  static final String MAIN_CLASS = "dev.ipclab.worker.WorkerMain";

  static final List<String> FOOTPRINT_FLAGS = List.of(
      "-XX:+UseSerialGC",
      "-Xms8m",
      "-Xmx256m",
      "-XX:+UseCompactObjectHeaders",
      "-Xss512k",
      "-XX:ReservedCodeCacheSize=64m",
      "-XX:MaxMetaspaceSize=96m",
      "-XX:+ExitOnOutOfMemoryError",
      "-XX:TrimNativeHeapInterval=1000",
      "-XX:+UnlockDiagnosticVMOptions",
      "-XX:ArchiveRelocationMode=0",
      "-Xlog:disable",
      "-Xlog:all=warning:stderr",
      "-XX:+DisplayVMOutputToStderr",
      "--enable-native-access=ALL-UNNAMED");

  private WorkerCommand() {}

  /** Above this many characters the class path goes into an {@code @argfile}, not onto the command line. */
  static final int ARGFILE_THRESHOLD = 4096;

  /**
   * A JVM worker's command line: the settings as properties, the footprint flags, the AOT cache when the class
   * path starts with a worker jar that has one, the extra JVM arguments, the class path and the main class.
   *
   * @param connect the address a socket worker connects to, or null for pipes
   * @param extraJvmArgs appended after the defaults, so they win
   * @param argfileDir where a long class path is written as {@code worker-<id>.args}
   */
  static List<String> build(Path workerJar, WorkerLaunch launch, int workerId, TransportKind transport,
      IdleStrategy idle, String connect, int maxFrameBytes, List<String> extraJvmArgs, Path argfileDir)
      throws java.io.IOException {
    if (launch.command() != null) {
      return launch.command();
    }
    List<Path> classPath = launch.classPath() != null ? launch.classPath() : List.of(workerJar);
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary());
    cmd.add("-D" + Protocol.ROLE_PROPERTY + "=worker");
    cmd.add("-D" + Protocol.WORKER_ID_PROPERTY + "=" + workerId);
    cmd.add("-D" + Protocol.TRANSPORT_PROPERTY + "=" + transport.cliName());
    if (connect != null) {
      cmd.add("-D" + Protocol.CONNECT_PROPERTY + "=" + connect);
    }
    cmd.add("-D" + Protocol.MAX_FRAME_PROPERTY + "=" + maxFrameBytes);
    cmd.add("-D" + Protocol.IDLE_PROPERTY + "=" + idle.cliName());
    // Keeps the worker's last log lines when it is stopped by a signal.
    cmd.add("-D" + ProcessLog.MANAGER_PROPERTY + "=" + ProcessLog.SHUTDOWN_SAFE_MANAGER);
    cmd.addAll(FOOTPRINT_FLAGS);
    // The JVM accepts a cache trained on a prefix of the class path, so the worker jar's cache serves the
    // runtime's classes even when user jars follow it; classes of those jars load as without a cache.
    Path first = classPath.get(0);
    if (first.getFileName() != null && first.getFileName().toString().endsWith(".jar")) {
      WorkerAotCache.flag(first, transport, extraJvmArgs).ifPresent(cmd::add);
    }
    cmd.addAll(extraJvmArgs);
    // Normalized: the AOT cache is valid only for the class path it was trained with, path for path.
    String joined = String.join(java.io.File.pathSeparator,
        classPath.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList());
    if (joined.length() > ARGFILE_THRESHOLD) {
      // The kernel limits one argument to 128 KiB and all of them to about 2 MiB (E2BIG, "argument list too
      // long"); the java launcher reads the rest of its arguments from the file instead.
      Path argfile = argfileDir.resolve("worker-" + workerId + ".args");
      Files.writeString(argfile, "-cp\n\"" + joined.replace("\\", "\\\\") + "\"\n");
      cmd.add("@" + argfile);
    } else {
      cmd.add("-cp");
      cmd.add(joined);
    }
    cmd.add(launch.mainClass());
    return cmd;
  }

  /** The default worker on {@code workerJar} alone: the class path is short, so no argfile is written. */
  static List<String> build(Path workerJar, int workerId, TransportKind transport, IdleStrategy idle,
      String connect, int maxFrameBytes, List<String> extraJvmArgs) {
    try {
      return build(workerJar, WorkerLaunch.DEFAULT, workerId, transport, idle, connect, maxFrameBytes, extraJvmArgs,
          null);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * The settings of a worker as environment variables, for a worker command in any language (a JVM worker reads
   * the same settings from its {@code -Dipclab.*} properties).
   */
  static java.util.Map<String, String> environment(int workerId, TransportKind transport, IdleStrategy idle,
      String connect, int maxFrameBytes) {
    java.util.Map<String, String> env = new java.util.LinkedHashMap<>();
    env.put("IPCLAB_WORKER_ID", Integer.toString(workerId));
    env.put("IPCLAB_TRANSPORT", transport.cliName());
    if (connect != null) {
      env.put("IPCLAB_CONNECT", connect);
    }
    env.put("IPCLAB_MAX_FRAME_BYTES", Integer.toString(maxFrameBytes));
    env.put("IPCLAB_IDLE", idle.cliName());
    return env;
  }

  /**
   * A command line that runs {@code mainClass} from the worker jar with the same {@code java} and footprint flags
   * as a worker, but none of the worker's settings: for a bare-JDK baseline process measured against workers.
   */
  public static List<String> sameJvm(Path workerJar, String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary());
    cmd.addAll(FOOTPRINT_FLAGS);
    cmd.add("-cp");
    cmd.add(workerJar.toString());
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }

  /** The {@code java} that runs this JVM, so workers run on the same Java 25 as their parent. */
  static String javaBinary() {
    return ProcessHandle.current().info().command()
        .filter(c -> Files.isExecutable(Path.of(c)))
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /**
   * Finds the worker jar: {@code -Dipclab.worker.jar}, else {@code IPCLAB_WORKER_JAR}, else
   * {@code worker/target/ipclab-worker.jar} beside the parent jar's module in a source checkout.
   */
  public static Path locateWorkerJar() {
    String configured = System.getProperty("ipclab.worker.jar", System.getenv("IPCLAB_WORKER_JAR"));
    Path jar;
    if (configured != null && !configured.isBlank()) {
      jar = Path.of(configured);
    } else {
      Path here = codeLocation();
      // parent/target/ipclab-parent.jar or parent/target/classes -> <repo>/worker/target/ipclab-worker.jar
      jar = here.getParent().getParent().getParent().resolve("worker/target/ipclab-worker.jar");
    }
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("the worker jar was expected at " + jar.toAbsolutePath()
          + " but is not there. Build it with './mvnw -DskipTests package' in the repository root, or point"
          + " -Dipclab.worker.jar (or IPCLAB_WORKER_JAR) at it.");
    }
    return jar.toAbsolutePath().normalize();
  }

  private static Path codeLocation() {
    try {
      return Path.of(WorkerCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toAbsolutePath();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
