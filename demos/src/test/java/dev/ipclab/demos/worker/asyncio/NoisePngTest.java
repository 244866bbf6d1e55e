package dev.ipclab.demos.worker.asyncio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The servers' images: real PNGs of about the asked size, the same bytes for the same seed. */
class NoisePngTest {

  @Test
  void isAPngThatAnImageReaderDecodes() throws Exception {
    NoisePng png = NoisePng.of(64 * 1024, 7);
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png.bytes()));
    assertThat(image).as("ImageIO decodes it").isNotNull();
    assertThat(image.getWidth()).isEqualTo(png.width()).isEqualTo(NoisePng.WIDTH);
    assertThat(image.getHeight()).isEqualTo(png.height());
  }

  @Test
  void sizeIsTheAskedSizePlusLittleOverhead() {
    for (long size : new long[] {1024, 64 * 1024, 2L << 20}) {
      int actual = NoisePng.of(size, 1).bytes().length;
      // at most one extra row (769 bytes), the stored-block headers (5 per 64 KiB) and the chunk frames (~60)
      assertThat((long) actual).as("PNG for %d bytes", size).isBetween(size, size + 769 + size / 65535 * 5 + 128);
    }
  }

  @Test
  void sameSeedSameBytesOtherSeedOtherBytes() {
    assertThat(NoisePng.of(8192, 3).bytes()).isEqualTo(NoisePng.of(8192, 3).bytes());
    assertThat(ImageFiles.sha256(NoisePng.of(8192, 3).bytes()))
        .isNotEqualTo(ImageFiles.sha256(NoisePng.of(8192, 4).bytes()));
  }

  @Test
  void refusesSillySizes() {
    assertThatThrownBy(() -> NoisePng.of(10, 1)).hasMessageContaining("1 KiB");
  }
}
