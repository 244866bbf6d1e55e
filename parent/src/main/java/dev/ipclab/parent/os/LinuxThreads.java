package dev.ipclab.parent.os;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The calling thread's Linux thread id ({@code gettid(2)}) by an FFM downcall: the number that
 * {@code /proc/<pid>/task/<tid>}, {@code ps -L} and {@code top -H} show, which Java's own thread ids are not.
 */
public final class LinuxThreads {
  private static final MethodHandle GETTID = Linker.nativeLinker().defaultLookup().find("gettid")
      .map(symbol -> Linker.nativeLinker().downcallHandle(symbol, FunctionDescriptor.of(ValueLayout.JAVA_INT)))
      .orElse(null);

  private LinuxThreads() {}

  /** This thread's kernel thread id, or -1 where {@code gettid} is not available (glibc before 2.30). */
  public static long currentTid() {
    if (GETTID == null) {
      return -1;
    }
    try {
      return (int) GETTID.invokeExact();
    } catch (Throwable e) {
      throw new IllegalStateException("gettid() failed", e);
    }
  }
}
