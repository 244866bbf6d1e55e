package dev.ipclab.worker;

import dev.ipclab.proto.v1.JvmFacts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads the facts about this JVM that the hello reports, without the management beans: loading those (their
 * native library and MBean classes) cost several ms on the way to the hello, for three numbers the JDK and the
 * process table give at once.
 */
final class JvmFactsReader {
  /** Launcher options whose value is the next argument. */
  private static final Set<String> TAKES_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p", "--module-path",
      "--upgrade-module-path", "--add-modules", "--limit-modules", "--add-reads", "--add-exports", "--add-opens",
      "--patch-module", "--enable-native-access", "--illegal-native-access");

  /** Class path options, left out as the management bean leaves them out (it reports java.class.path instead). */
  private static final Set<String> CLASS_PATH = Set.of("-cp", "-classpath", "--class-path");

  private JvmFactsReader() {}

  static JvmFacts read() {
    ProcessHandle.Info process = ProcessHandle.current().info();
    return JvmFacts.newBuilder()
        .setJavaVersion(System.getProperty("java.version", ""))
        .setVmName(System.getProperty("java.vm.name", ""))
        .setAvailableProcessors(Runtime.getRuntime().availableProcessors())
        .setThreadCount(liveThreads())
        .setMaxHeapBytes(Runtime.getRuntime().maxMemory())
        .setUptimeMs(process.startInstant().map(start -> Duration.between(start, Instant.now()).toMillis())
            .filter(ms -> ms >= 0).orElse(0L))
        .addAllInputArguments(jvmOptions(process.arguments().orElse(new String[0])))
        .build();
  }

  /** Live platform threads, daemons included: the root thread group's count. */
  private static int liveThreads() {
    ThreadGroup root = Thread.currentThread().getThreadGroup();
    while (root.getParent() != null) {
      root = root.getParent();
    }
    return root.activeCount();
  }

  /** The options before the main class, {@code -jar} or {@code -m} on the command line, class path excluded. */
  static List<String> jvmOptions(String[] arguments) {
    List<String> options = new ArrayList<>();
    for (int i = 0; i < arguments.length; i++) {
      String argument = arguments[i];
      if (!argument.startsWith("-") || argument.equals("-jar") || argument.equals("-m")
          || argument.equals("--module") || argument.startsWith("--module=")) {
        break;
      }
      boolean classPath = CLASS_PATH.contains(argument);
      if (TAKES_VALUE.contains(argument) && i + 1 < arguments.length) {
        if (!classPath) {
          options.add(argument);
          options.add(arguments[i + 1]);
        }
        i++;
      } else if (!classPath && !argument.startsWith("--class-path=")) {
        options.add(argument);
      }
    }
    return options;
  }
}
