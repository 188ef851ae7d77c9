package dev.egret.core.accesslog;

import static java.util.Objects.requireNonNull;

import dev.egret.core.stream.StreamInfo;

/** An operator whose text value is cut to {@code maxLength} characters ({@code %REQ(X):10%}). */
record Truncated(FormatOperator inner, int maxLength) implements FormatOperator {
  Truncated {
    requireNonNull(inner, "inner");
  }

  @Override
  public boolean append(StreamInfo info, StringBuilder out) {
    int start = out.length();
    if (!inner.append(info, out)) {
      return false;
    }
    if (out.length() - start > maxLength) {
      out.setLength(start + maxLength);
    }
    return true;
  }
}
