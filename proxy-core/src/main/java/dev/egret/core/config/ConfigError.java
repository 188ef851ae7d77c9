package dev.egret.core.config;

import static java.util.Objects.requireNonNull;

/**
 * One problem in a configuration, located by a field path ({@code static_resources.listeners[0].address})
 * and, where known, the name of the resource it belongs to.
 *
 * @param path    protobuf JSON-style field path from the root of the document
 * @param resource name of the enclosing listener / cluster / route configuration, or empty
 * @param message what is wrong, in one sentence
 */
public record ConfigError(String path, String resource, String message) {
  public ConfigError {
    requireNonNull(path, "path");
    requireNonNull(resource, "resource");
    requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return resource.isEmpty() ? path + ": " + message : path + " [" + resource + "]: " + message;
  }
}
