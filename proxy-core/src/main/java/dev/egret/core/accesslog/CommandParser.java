package dev.egret.core.accesslog;

import dev.egret.core.config.ConfigPath;

/**
 * Turns one {@code %COMMAND(argument):N%} into a {@link FormatOperator} at compile time. Egret's
 * built-in commands are one parser; other modules (filter state, dynamic metadata, …) add theirs by
 * passing extra parsers to {@link AccessLogFormat#compileText(String, boolean, java.util.List,
 * ConfigPath)} or {@link AccessLogs#compile}. Extra parsers are asked first, in list order; the first
 * that does not return {@code null} owns the command.
 */
@FunctionalInterface
public interface CommandParser {

  /**
   * @param command   the name, e.g. {@code FILTER_STATE}
   * @param argument  the text between the parentheses, or {@code null} when there were none
   * @param maxLength the {@code :N} suffix, or {@code -1} when absent; a parser that honours it wraps
   *                  its operator with {@link FormatOperator#truncated}, one that does not reports an
   *                  error
   * @param at        where argument errors are reported; after reporting, return any non-null
   *                  operator so that compilation continues and finds further errors
   * @return the operator, or {@code null} when this parser does not know {@code command}
   */
  FormatOperator parse(String command, String argument, int maxLength, ConfigPath at);
}
