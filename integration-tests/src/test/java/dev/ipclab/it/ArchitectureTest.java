package dev.ipclab.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules of the house, checked on the compiled classes: the library (ipc-proto, ipc-transport, worker, parent)
 * never depends on the application (demos, cli) or on the application's libraries, worker and parent never depend
 * on each other, the transport API depends on none of its implementations, the application stays out of the
 * library's internal packages, and the library's public API is
 * the committed list in {@code src/test/resources/library-api.txt}, so that changing it is a decision.
 *
 * <p>After a deliberate API change: {@code ./mvnw -o -pl integration-tests test -Dtest=ArchitectureTest
 * -Dipclab.api.update=true}, then review and commit the list's diff.
 */
class ArchitectureTest {
  private static final String[] LIBRARY = {"dev.ipclab.proto..", "dev.ipclab.transport..", "dev.ipclab.worker..",
      "dev.ipclab.parent.."};
  private static final String[] APPLICATION = {"dev.ipclab.demos..", "dev.ipclab.cli.."};
  /** The packages whose public types are the library's API (the generated protocol is its .proto files'). */
  private static final Set<String> API_ROOTS = Set.of("dev.ipclab.transport", "dev.ipclab.worker",
      "dev.ipclab.parent");
  private static final Path API_LIST = Path.of("src/test/resources/library-api.txt");

  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.ipclab");
    assertThat(classes.contain("dev.ipclab.parent.WorkerPool")).as("the library's classes were imported").isTrue();
    assertThat(classes.contain("dev.ipclab.cli.IpclabCommand")).as("the application's classes were imported")
        .isTrue();
  }

  @Test
  void theLibraryNeverDependsOnTheApplicationOrItsLibraries() {
    noClasses().that().resideInAnyPackage(LIBRARY)
        .should().dependOnClassesThat().resideInAnyPackage(concat(APPLICATION, "picocli..",
            "com.fasterxml.jackson..", "org.apache.commons.exec..", "org.HdrHistogram.."))
        .because("the library's runtime deps are protobuf and Netty only, and arrows point from the application"
            + " down to the library (docs: ARCHITECTURE.md, 'Two halves')")
        .check(classes);
  }

  @Test
  void workerAndParentNeverDependOnEachOther() {
    noClasses().that().resideInAPackage("dev.ipclab.worker..")
        .should().dependOnClassesThat().resideInAPackage("dev.ipclab.parent..")
        .because("the worker runtime runs in its own JVM and knows the parent only by the protocol")
        .check(classes);
    noClasses().that().resideInAPackage("dev.ipclab.parent..")
        .should().dependOnClassesThat().resideInAPackage("dev.ipclab.worker..")
        .because("the parent finds the worker's class path at run time; it has no compile-time dependency on it")
        .check(classes);
  }

  @Test
  void theTransportApiDependsOnNoImplementation() {
    noClasses().that().resideInAPackage("dev.ipclab.transport")
        .should().dependOnClassesThat().resideInAnyPackage("dev.ipclab.transport.stream..",
            "dev.ipclab.transport.netty..", "dev.ipclab.transport.shm..", "dev.ipclab.transport.protocol..",
            "dev.ipclab.transport.os..", "dev.ipclab.transport.log..", "dev.ipclab.transport.fault..")
        .because("Transport, its listener, kinds, idle strategies and exceptions are what every implementation"
            + " builds on; only the framing they share sits below them")
        .check(classes);
  }

  @Test
  void theStreamAndSocketTransportsAreIndependent() {
    noClasses().that().resideInAPackage("dev.ipclab.transport.stream..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.ipclab.transport.netty..",
            "dev.ipclab.transport.shm..")
        .because("the shm transport is built on the stream transport, never the other way round")
        .check(classes);
    noClasses().that().resideInAPackage("dev.ipclab.transport.netty..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.ipclab.transport.stream..",
            "dev.ipclab.transport.shm..")
        .check(classes);
  }

  @Test
  void theApplicationStaysOutOfTheLibrarysInternalPackages() {
    noClasses().that().resideInAnyPackage(APPLICATION)
        .should().dependOnClassesThat().resideInAnyPackage("dev.ipclab..internal..")
        .because("the application is built on the library's public API only, exactly as a user's code would be")
        .check(classes);
  }

  @Test
  void thePublicApiIsTheCommittedList() throws IOException {
    List<String> actual = publicApi();
    if (Boolean.getBoolean("ipclab.api.update")) {
      Files.write(API_LIST, actual, StandardCharsets.UTF_8);
      return;
    }
    List<String> expected = Files.readAllLines(API_LIST, StandardCharsets.UTF_8);
    List<String> added = actual.stream().filter(l -> !expected.contains(l)).toList();
    List<String> removed = expected.stream().filter(l -> !actual.contains(l)).toList();
    assertThat(added.isEmpty() && removed.isEmpty())
        .as("the library's public API differs from " + API_LIST + ".%n  added:%n    %s%n  removed:%n    %s%n"
            + "If the change is deliberate, update the list with -Dipclab.api.update=true and commit it; otherwise"
            + " make the new type or member package-private, or move it to an internal package.",
            added.isEmpty() ? "(none)" : String.join("\n    ", added),
            removed.isEmpty() ? "(none)" : String.join("\n    ", removed))
        .isTrue();
  }

  /** One line per public type of the API packages, then one per public or protected member of it, sorted. */
  private static List<String> publicApi() {
    TreeSet<String> lines = new TreeSet<>();
    for (JavaClass c : classes) {
      if (!isApi(c)) {
        continue;
      }
      String type = c.getName().replace('$', '.');
      lines.add(type + " " + kind(c));
      boolean extendable = !c.getModifiers().contains(JavaModifier.FINAL) && !c.isEnum();
      for (JavaCodeUnit m : c.getCodeUnits()) {
        if (visible(m.getModifiers(), extendable) && !m.getModifiers().contains(JavaModifier.SYNTHETIC)
            && !m.getModifiers().contains(JavaModifier.BRIDGE) && !m.getName().equals("<clinit>")) {
          String params = m.getRawParameterTypes().stream().map(t -> t.getName().replace('$', '.'))
              .collect(Collectors.joining(", "));
          String name = m.getName().equals("<init>") ? "new" : m.getName();
          lines.add(type + " " + (m.getModifiers().contains(JavaModifier.STATIC) ? "static " : "") + name + "("
              + params + ")" + (name.equals("new") ? "" : " -> " + m.getRawReturnType().getName().replace('$', '.')));
        }
      }
      for (JavaField f : c.getFields()) {
        if (visible(f.getModifiers(), extendable) && !f.getModifiers().contains(JavaModifier.SYNTHETIC)
            && !c.isEnum()) {
          lines.add(type + " " + (f.getModifiers().contains(JavaModifier.STATIC) ? "static " : "") + "field "
              + f.getName() + " : " + f.getRawType().getName().replace('$', '.'));
        }
      }
    }
    return new ArrayList<>(lines);
  }

  private static boolean isApi(JavaClass c) {
    if (!API_ROOTS.contains(c.getPackageName()) && API_ROOTS.stream().noneMatch(r -> c.getPackageName()
        .startsWith(r + ".") && !c.getPackageName().contains(".internal"))) {
      return false;
    }
    for (JavaClass t = c; t != null; t = t.getEnclosingClass().orElse(null)) {
      if (!t.getModifiers().contains(JavaModifier.PUBLIC) || t.isAnonymousClass() || t.isLocalClass()) {
        return false;
      }
    }
    return true;
  }

  private static boolean visible(Set<JavaModifier> modifiers, boolean extendable) {
    return modifiers.contains(JavaModifier.PUBLIC) || (extendable && modifiers.contains(JavaModifier.PROTECTED));
  }

  private static String kind(JavaClass c) {
    return c.isAnnotation() ? "@interface" : c.isInterface() ? "interface" : c.isEnum() ? "enum"
        : c.isRecord() ? "record" : "class";
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
