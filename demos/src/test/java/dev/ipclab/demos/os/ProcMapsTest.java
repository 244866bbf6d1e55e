package dev.ipclab.demos.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lines of /proc/&lt;pid&gt;/maps as the kernel writes them, and this JVM's own maps file. */
class ProcMapsTest {

  @Test
  void anonymousPrivateMappingWithoutPath() {
    ProcMaps.Mapping m = ProcMaps.parse("7e1500000000-7e1500001000 rw-p 00000000 00:00 0 ");

    assertThat(m.start()).isEqualTo(0x7e1500000000L);
    assertThat(m.end()).isEqualTo(0x7e1500001000L);
    assertThat(m.size()).isEqualTo(4096);
    assertThat(m.perms()).isEqualTo("rw-p");
    assertThat(m.shared()).isFalse();
    assertThat(m.offset()).isZero();
    assertThat(m.device()).isEqualTo("00:00");
    assertThat(m.inode()).isZero();
    assertThat(m.path()).isEmpty();
    assertThat(m.deleted()).isFalse();
    assertThat(m.contains(0x7e1500000fffL)).isTrue();
    assertThat(m.contains(0x7e1500001000L)).as("end is exclusive").isFalse();
  }

  @Test
  void sharedFileWithPaddingSpacesInItsNameAndDeletedMark() {
    ProcMaps.Mapping m = ProcMaps.parse("7f3a2c000000-7f3a2c002000 rw-s 00001000 00:1a 4242"
        + "                       /dev/shm/ipclab 17 ab (deleted)");

    assertThat(m.shared()).isTrue();
    assertThat(m.offset()).isEqualTo(0x1000);
    assertThat(m.device()).isEqualTo("00:1a");
    assertThat(m.inode()).isEqualTo(4242);
    assertThat(m.path()).isEqualTo("/dev/shm/ipclab 17 ab");
    assertThat(m.deleted()).isTrue();
  }

  @Test
  void kernelRangesAboveTheSignedLimitAndPseudoPaths() {
    ProcMaps.Mapping vsyscall = ProcMaps.parse("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"
        + "                  [vsyscall]");
    ProcMaps.Mapping stack = ProcMaps.parse("7ffcb056a000-7ffcb058b000 rw-p 00000000 00:00 0"
        + "                          [stack]");

    assertThat(vsyscall.start()).isEqualTo(0xffffffffff600000L);
    assertThat(vsyscall.size()).isEqualTo(4096);
    assertThat(vsyscall.contains(0xffffffffff600010L)).as("compared unsigned").isTrue();
    assertThat(vsyscall.contains(0x1000L)).isFalse();
    assertThat(stack.path()).isEqualTo("[stack]");
  }

  @Test
  void malformedLinesAreRejectedWithTheLine() {
    for (String bad : List.of("", "hello world", "7e15-7e16 rw-p 0 00:00", "zz-7e16 rw-p 0 00:00 0",
        "7e15-7e16 rw 0 00:00 0", "7e15-7e16 rw-p 0 0000 0")) {
      assertThatThrownBy(() -> ProcMaps.parse(bad)).as("'%s'", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a /proc/<pid>/maps line");
    }
  }

  @Test
  void thisJvmsMapsShowAFileItMapsShared(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("mapped file");
    Files.write(file, new byte[8192]);
    long pid = ProcessHandle.current().pid();
    try (Arena arena = Arena.ofConfined();
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, 8192, arena);

      List<ProcMaps.Mapping> ofFile = ProcMaps.ofFile(pid, file.toString());
      assertThat(ofFile).hasSize(1);
      assertThat(ofFile.get(0).start()).isEqualTo(segment.address());
      assertThat(ofFile.get(0).size()).isEqualTo(8192);
      assertThat(ofFile.get(0).shared()).isTrue();
      assertThat(ProcMaps.startingAt(pid, segment.address())).contains(ofFile.get(0));
      assertThat(ProcMaps.read(pid).orElseThrow()).anyMatch(m -> m.path().equals("[stack]"));
    }
    assertThat(ProcMaps.ofFile(pid, file.toString())).as("unmapped when the arena closed").isEmpty();
  }

  @Test
  void processThatCannotExistIsEmpty() throws IOException {
    assertThat(ProcMaps.read(4_194_304L)).as("pid above PID_MAX_LIMIT").isEmpty();
  }
}
