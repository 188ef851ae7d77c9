package dev.egret.core.config;

import java.util.List;

/** Thrown when a configuration cannot be compiled; carries every error found, not just the first. */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient List<ConfigError> errors;

  public ConfigException(List<ConfigError> errors) {
    super(render(errors));
    this.errors = List.copyOf(errors);
  }

  public ConfigException(ConfigError error) {
    this(List.of(error));
  }

  public List<ConfigError> errors() {
    return errors;
  }

  private static String render(List<ConfigError> errors) {
    StringBuilder sb = new StringBuilder();
    for (ConfigError e : errors) {
      if (sb.length() > 0) {
        sb.append('\n');
      }
      sb.append(e);
    }
    return sb.toString();
  }
}
