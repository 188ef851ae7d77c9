package dev.egret.core.config;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the compiler currently is in a document, and the errors found so far. Compilers pass a
 * {@code ConfigPath} down as they descend ({@link #field}, {@link #index}) and report problems with
 * {@link #error}; nothing throws until {@link #throwIfErrors()}, so one run lists every error.
 */
public final class ConfigPath {
  private final String path;
  private final String resource;
  private final List<ConfigError> sink;

  private ConfigPath(String path, String resource, List<ConfigError> sink) {
    this.path = path;
    this.resource = resource;
    this.sink = sink;
  }

  /** A fresh root, collecting into its own error list. */
  public static ConfigPath root(String path) {
    return new ConfigPath(requireNonNull(path), "", new ArrayList<>());
  }

  public ConfigPath field(String name) {
    return new ConfigPath(path.isEmpty() ? name : path + "." + name, resource, sink);
  }

  public ConfigPath index(int i) {
    return new ConfigPath(path + "[" + i + "]", resource, sink);
  }

  /** Same position, but errors below it name this resource. */
  public ConfigPath resource(String name) {
    return new ConfigPath(path, name == null ? "" : name, sink);
  }

  public String path() {
    return path;
  }

  public String resourceName() {
    return resource;
  }

  public void error(String message) {
    sink.add(new ConfigError(path, resource, message));
  }

  public List<ConfigError> errors() {
    return List.copyOf(sink);
  }

  public boolean hasErrors() {
    return !sink.isEmpty();
  }

  public int errorCount() {
    return sink.size();
  }

  public void throwIfErrors() throws ConfigException {
    if (!sink.isEmpty()) {
      throw new ConfigException(sink);
    }
  }
}
