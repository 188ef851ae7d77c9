package dev.egret.core.accesslog;

import static java.util.Objects.requireNonNull;

import dev.egret.core.stream.StreamInfo;

/** Plain text between commands (with {@code %%} already reduced to {@code %}). */
record Literal(String text) implements FormatOperator {
  Literal {
    requireNonNull(text, "text");
  }

  @Override
  public boolean append(StreamInfo info, StringBuilder out) {
    out.append(text);
    return true;
  }
}
