package dev.ipclab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** Durations as people type them on the command line. */
class DurationConverterTest {
  private final DurationConverter converter = new DurationConverter();

  @Test
  void acceptsShortForms() {
    assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(converter.convert("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(converter.convert("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(converter.convert("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(converter.convert(" 2s ")).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void acceptsIso8601() {
    assertThat(converter.convert("PT2S")).isEqualTo(Duration.ofSeconds(2));
    assertThat(converter.convert("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void rejectsWhatItCannotReadWithExamples() {
    assertThatThrownBy(() -> converter.convert("abc"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("expected a duration such as 500ms, 30s, 5m or 1h, but got 'abc'");
    assertThatThrownBy(() -> converter.convert("10")).as("no unit")
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("but got '10'");
    assertThatThrownBy(() -> converter.convert("5 s")).as("space before the unit")
        .isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> converter.convert("1d")).as("days are not a unit here")
        .isInstanceOf(TypeConversionException.class);
  }
}
