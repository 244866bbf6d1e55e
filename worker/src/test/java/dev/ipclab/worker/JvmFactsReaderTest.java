package dev.ipclab.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JvmFactsReaderTest {
  @Test
  void theOptionsEndAtTheMainClassAndLeaveTheClassPathOut() {
    String[] command = {"-XX:+UseSerialGC", "-cp", "a.jar:lib/b.jar", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
        "-Dipclab.worker.id=3", "dev.ipclab.worker.WorkerMain", "-Dnot.an.option"};
    assertThat(JvmFactsReader.jvmOptions(command)).containsExactly("-XX:+UseSerialGC", "--add-opens",
        "java.base/java.lang=ALL-UNNAMED", "-Dipclab.worker.id=3");
  }

  @Test
  void theOptionsEndAtJar() {
    assertThat(JvmFactsReader.jvmOptions(new String[] {"-Xmx64m", "-jar", "w.jar", "-Xss1m"}))
        .containsExactly("-Xmx64m");
  }

  @Test
  void theFactsOfThisJvmAreRead() {
    var facts = JvmFactsReader.read();
    assertThat(facts.getThreadCount()).isPositive();
    assertThat(facts.getJavaVersion()).isEqualTo(System.getProperty("java.version"));
  }
}
