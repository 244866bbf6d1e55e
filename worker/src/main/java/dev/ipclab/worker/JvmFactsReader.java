package dev.ipclab.worker;

import dev.ipclab.proto.v1.JvmFacts;
import java.lang.management.ManagementFactory;
import java.lang.management.RuntimeMXBean;

/** Reads the facts about this JVM that the hello reports. */
final class JvmFactsReader {
  private JvmFactsReader() {}

  static JvmFacts read() {
    RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
    return JvmFacts.newBuilder()
        .setJavaVersion(System.getProperty("java.version", ""))
        .setVmName(System.getProperty("java.vm.name", ""))
        .setAvailableProcessors(Runtime.getRuntime().availableProcessors())
        .setThreadCount(ManagementFactory.getThreadMXBean().getThreadCount())
        .setMaxHeapBytes(Runtime.getRuntime().maxMemory())
        .setUptimeMs(runtime.getUptime())
        .addAllInputArguments(runtime.getInputArguments())
        .build();
  }
}
