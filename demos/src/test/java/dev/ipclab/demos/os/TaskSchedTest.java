package dev.ipclab.demos.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Parsing of schedstat and stat lines, and a read of this very thread. */
class TaskSchedTest {

  @Test
  void parsesTheThreeSchedstatFields() throws IOException {
    TaskSched s = TaskSched.parse("2519874331 1038810432 4711\n");

    assertThat(s).isEqualTo(new TaskSched(2_519_874_331L, 1_038_810_432L, 4711));
    assertThat(s.minus(new TaskSched(519_874_331L, 38_810_432L, 11)))
        .isEqualTo(new TaskSched(2_000_000_000L, 1_000_000_000L, 4700));
  }

  @Test
  void rejectsASchedstatThatIsNotThreeNumbers() {
    assertThatThrownBy(() -> TaskSched.parse("12 34")).isInstanceOf(IOException.class).hasMessageContaining("3");
    assertThatThrownBy(() -> TaskSched.parse("a b c")).isInstanceOf(IOException.class);
  }

  @Test
  void stateLetterComesAfterTheLastParenthesis() {
    assertThat(TaskSched.stateLetter("4242 (java) S 1 4242 0")).isEqualTo('S');
    // A thread may name itself "x) R (y": only the last ')' ends the name.
    assertThat(TaskSched.stateLetter("4243 (x) R (y) D 1 4242")).isEqualTo('D');
    assertThat(TaskSched.stateLetter("garbage")).isEqualTo('?');
  }

  @Test
  void readsThisJvmsMainThread() {
    long pid = ProcessHandle.current().pid();

    // The thread group leader's TID is the PID; it exists as long as the process does.
    assertThat(TaskSched.stateLetter(pid, pid)).isIn('R', 'S', 'D');
    assertThat(TaskSched.read(pid, pid)).hasValueSatisfying(s -> assertThat(s.onCpuNanos()).isPositive());
    assertThat(TaskSched.read(pid, Integer.MAX_VALUE)).isEmpty();
  }
}
