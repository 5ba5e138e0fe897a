package org.ccespark.data;

/**
 * An image shape, channels × height × width, as images are laid out for a network
 * (channel-major).
 *
 * @param channels 1 or 3
 * @param height rows of pixels, at least 1
 * @param width columns of pixels, at least 1
 */
public record ImageShape(int channels, int height, int width) {
  /** @return values per image */
  public long size() {
    return (long) channels * height * width;
  }

  /** @return {@code (C, H, W)} */
  @Override
  public String toString() {
    return "(" + channels + ", " + height + ", " + width + ")";
  }

  /**
   * Parses {@code C,H,W}.
   *
   * @param option the option or key the value comes from, for the error message
   * @throws SettingException unless C is 1 or 3 and H and W are positive integers
   */
  public static ImageShape parse(String value, String option) {
    String[] parts = value.split(",");
    try {
      if (parts.length == 3) {
        int c = Integer.parseInt(parts[0].trim());
        int h = Integer.parseInt(parts[1].trim());
        int w = Integer.parseInt(parts[2].trim());
        if ((c == 1 || c == 3) && h >= 1 && w >= 1) {
          return new ImageShape(c, h, w);
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new SettingException(option + " expects C,H,W with C 1 or 3 and H, W positive"
        + " integers (e.g. 3,32,32), got '" + value + "'");
  }
}
