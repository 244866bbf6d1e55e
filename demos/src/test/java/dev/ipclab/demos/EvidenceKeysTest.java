package dev.ipclab.demos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import dev.ipclab.demos.evidence.DemoEvidence;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JSON keys of every demo's evidence, with their types, are the committed list in
 * {@code src/test/resources/evidence-keys.txt}: users read them from {@code --json}, so renaming one is a decision,
 * made with the docs that name it.
 *
 * <p>After a deliberate change: {@code ./mvnw -o -pl demos test -Dtest=EvidenceKeysTest
 * -Dipclab.evidence.update=true}, then review the list's diff, update docs/ and commit both.
 */
class EvidenceKeysTest {
  private static final Path KEYS = Path.of("src/test/resources/evidence-keys.txt");

  @Test
  void theEvidenceKeysAreTheCommittedList() throws IOException {
    List<String> actual = keys();
    if (Boolean.getBoolean("ipclab.evidence.update")) {
      Files.write(KEYS, actual, StandardCharsets.UTF_8);
      return;
    }
    assertThat(actual).as("the JSON keys of the evidence differ from %s; if that is deliberate, update it with"
        + " -Dipclab.evidence.update=true, and the docs that name the keys", KEYS)
        .containsExactlyElementsOf(Files.readAllLines(KEYS, StandardCharsets.UTF_8));
  }

  @Test
  void everyKeyIsSnakeCase() {
    assertThat(keys()).extracting(line -> line.substring(0, line.indexOf(" : ")))
        .extracting(path -> path.substring(path.lastIndexOf('.') + 1))
        .allMatch(key -> key.matches("[a-z][a-z0-9]*(_[a-z0-9]+)*(\\[]|\\{})*"));
  }

  /** One line per key, {@code Record.key.nested_key : type}; {@code []} marks a list, {@code {}} a map's values. */
  static List<String> keys() {
    List<String> out = new ArrayList<>();
    for (Class<?> c : DemoEvidence.class.getPermittedSubclasses()) {
      walk(c.getSimpleName(), DemoJson.MAPPER.constructType(c), out);
    }
    return out;
  }

  private static void walk(String path, JavaType type, List<String> out) {
    BeanDescription record = DemoJson.MAPPER.getSerializationConfig().introspect(type);
    for (BeanPropertyDefinition p : record.findProperties()) {
      StringBuilder key = new StringBuilder(path).append('.').append(p.getName());
      JavaType t = p.getPrimaryType();
      while (t.isContainerType()) {
        key.append(t.isMapLikeType() ? "{}" : "[]");
        t = t.getContentType();
      }
      out.add(key + " : " + p.getPrimaryType().toCanonical().replaceAll("java\\.(lang|util)\\.", "")
          .replace(DemoEvidence.class.getPackageName() + ".", "").replace('$', '.'));
      if (t.getRawClass().isRecord()) {
        walk(key.toString(), t, out);
      }
    }
  }
}
