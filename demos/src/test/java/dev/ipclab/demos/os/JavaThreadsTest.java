package dev.ipclab.demos.os;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JavaThreadsTest {
  @Test
  void nidIsTheTidInDecimalOrHex() {
    var names = JavaThreads.parse("""
        "main" #1 [31415] prio=5 os_prio=0 cpu=651.43ms elapsed=9.51s tid=0x7f nid=31415 waiting on condition
        "ipclab-io-3-1" #35 [31482] prio=5 os_prio=0 cpu=3.1ms elapsed=8s tid=0x7e nid=0x7afa runnable
        "VM Thread" os_prio=0 cpu=4.2ms elapsed=9.5s tid=0x7d nid=31418 runnable
           java.lang.Thread.State: RUNNABLE
        """);
    assertThat(names).containsEntry(31415L, "main").containsEntry(0x7afaL, "ipclab-io-3-1")
        .containsEntry(31418L, "VM Thread").hasSize(3);
  }
}
