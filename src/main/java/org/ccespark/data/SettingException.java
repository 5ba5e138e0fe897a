package org.ccespark.data;

/**
 * A setting given by the user that cannot be accepted: an option that does not apply to the input,
 * a malformed value, a key of a configuration file. The command line reports it as a usage error
 * (exit status 2) with its message, which names the option or key at fault.
 */
public class SettingException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** @param message one sentence naming the option or key at fault */
  public SettingException(String message) {
    super(message);
  }
}
