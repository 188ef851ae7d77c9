package dev.egret.core.accesslog;

import dev.egret.core.stream.StreamInfo;

/**
 * One compiled {@code %COMMAND%} of an access-log format: reads a value from a {@link StreamInfo} and
 * appends it. Operators are created once when a format is compiled and are then called for every log
 * entry, from the access-log writer thread; implementations must be immutable and must not parse or
 * use regular expressions per call.
 *
 * <p>An operator either appends its value and returns {@code true}, or appends nothing and returns
 * {@code false} when the value is unset; the format then writes its placeholder ({@code -} in text,
 * {@code null} in typed JSON).
 */
@FunctionalInterface
public interface FormatOperator {

  /**
   * Appends the text form of the value.
   *
   * @return false, having appended nothing, when the value is unset
   */
  boolean append(StreamInfo info, StringBuilder out);

  /**
   * Appends the value as one JSON value, for typed JSON formats where this operator is the whole
   * value of a key. The default writes the text form as a JSON string; numeric operators override it
   * to write a bare number, structured ones to write an object.
   *
   * @return false, having appended nothing, when the value is unset
   */
  default boolean appendJson(StreamInfo info, StringBuilder out) {
    int mark = out.length();
    out.append('"');
    if (!append(info, out)) {
      out.setLength(mark);
      return false;
    }
    Json.escapeInPlace(out, mark + 1);
    out.append('"');
    return true;
  }

  /**
   * Wraps {@code op} so that its text value is cut to at most {@code maxLength} characters (the
   * {@code :N} suffix of a command). A negative length returns {@code op} unchanged.
   */
  static FormatOperator truncated(FormatOperator op, int maxLength) {
    return maxLength < 0 ? op : new Truncated(op, maxLength);
  }
}
