package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.constantpool.MemberRefEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No module of ipclab uses Java serialization, whose readObject runs code chosen by whoever wrote the bytes: every
 * compiled class is read with the JDK's class-file API and any reference to the object streams or their
 * readObject/writeObject hooks fails the build.
 */
class NoJavaSerializationTest {
  private static final Set<String> MODULES = Set.of("ipc-proto", "ipc-transport", "worker", "parent");
  private static final Set<String> FORBIDDEN_TYPES = Set.of("java/io/ObjectInputStream", "java/io/ObjectOutputStream");
  private static final Set<String> FORBIDDEN_METHODS = Set.of("readObject", "writeObject");

  @Test
  void noCompiledClassOfAnyModuleReferencesJavaSerialization() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent(); // surefire runs in integration-tests/
    List<String> findings = new ArrayList<>();
    int scanned = 0;
    for (String module : MODULES) {
      Path classes = root.resolve(module).resolve("target/classes");
      assertThat(classes).as("compiled classes of module " + module + "; build it first").isDirectory();
      List<Path> files;
      try (Stream<Path> walk = Files.walk(classes)) {
        files = walk.filter(p -> p.toString().endsWith(".class")).toList();
      }
      assertThat(files).as("class files under " + classes).isNotEmpty();
      for (Path file : files) {
        findings.addAll(serializationUses(Files.readAllBytes(file), module + ":" + classes.relativize(file)));
        scanned++;
      }
    }
    assertThat(scanned).as("classes scanned").isGreaterThan(100);
    assertThat(findings).as("uses of Java serialization in " + scanned + " classes; use protobuf instead")
        .isEmpty();
  }

  @Test
  void theScanFindsAClassThatDoesSerialize() throws IOException {
    Path canary = Path.of("target/test-classes", Canary.class.getName().replace('.', '/') + ".class");
    List<String> findings = serializationUses(Files.readAllBytes(canary), "Canary");
    assertThat(findings).anyMatch(f -> f.contains("java/io/ObjectOutputStream"))
        .anyMatch(f -> f.contains("calls writeObject"));
  }

  /** What in one class file refers to Java serialization, one line each. */
  static List<String> serializationUses(byte[] classFile, String where) {
    ClassModel model = ClassFile.of().parse(classFile);
    List<String> found = new ArrayList<>();
    for (PoolEntry entry : model.constantPool()) {
      // Utf8 entries hold class names and descriptors alike, so a parameter type is caught as well as a `new`.
      if (entry instanceof Utf8Entry utf8) {
        for (String type : FORBIDDEN_TYPES) {
          if (utf8.stringValue().contains(type)) {
            found.add(where + " refers to " + type);
          }
        }
      } else if (entry instanceof MemberRefEntry ref && FORBIDDEN_METHODS.contains(ref.name().stringValue())) {
        found.add(where + " calls " + ref.name().stringValue() + " on " + ref.owner().asInternalName());
      }
    }
    for (MethodModel method : model.methods()) {
      if (FORBIDDEN_METHODS.contains(method.methodName().stringValue())) {
        found.add(where + " declares the serialization hook " + method.methodName().stringValue());
      }
    }
    return found;
  }

  /** A class that serializes, to prove the scan would notice one. */
  static final class Canary {
    static void write(OutputStream out) throws IOException {
      new ObjectOutputStream(out).writeObject("x");
    }
  }
}
