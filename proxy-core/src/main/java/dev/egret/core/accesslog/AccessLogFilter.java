package dev.egret.core.accesslog;

import static java.util.Objects.requireNonNull;

import dev.egret.core.stream.ResponseFlag;
import dev.egret.core.stream.StreamInfo;
import java.util.List;
import java.util.Set;

/**
 * A compiled {@code envoy.config.accesslog.v3.AccessLogFilter}: decides, on the event loop when a
 * stream ends, whether its entry is logged at all. Evaluation reads a few {@link StreamInfo} fields
 * and allocates nothing (header matching may join several values of one header). Built by
 * {@link AccessLogFilters#compile}; every implementation is immutable.
 */
@FunctionalInterface
public interface AccessLogFilter {
  /** Logs everything (no {@code filter} configured). */
  AccessLogFilter ALWAYS = info -> true;

  /** True when the entry should be logged. */
  boolean test(StreamInfo info);

  /** {@code ComparisonFilter.op}. */
  enum Op {
    EQ, GE, LE;

    boolean compare(long actual, long configured) {
      return switch (this) {
        case EQ -> actual == configured;
        case GE -> actual >= configured;
        case LE -> actual <= configured;
      };
    }
  }

  /**
   * {@code status_code_filter}: compares the response code with {@code value}; a stream that sent
   * no response compares as {@code 0}, as in Envoy.
   */
  record StatusCode(Op op, long value) implements AccessLogFilter {
    public StatusCode {
      requireNonNull(op, "op");
    }

    @Override
    public boolean test(StreamInfo info) {
      return op.compare(info.responseCode(), value);
    }
  }

  /**
   * {@code duration_filter}: compares the stream's duration in milliseconds with {@code value}; a
   * stream with no end time does not match.
   */
  record Duration(Op op, long valueMillis) implements AccessLogFilter {
    public Duration {
      requireNonNull(op, "op");
    }

    @Override
    public boolean test(StreamInfo info) {
      long d = info.durationMillis();
      return d >= 0 && op.compare(d, valueMillis);
    }
  }

  /**
   * {@code response_flag_filter}: matches when any of {@code flags} was set on the stream; with no
   * flags listed, when any flag at all was set.
   */
  record ResponseFlags(Set<ResponseFlag> flags) implements AccessLogFilter {
    public ResponseFlags {
      flags = Set.copyOf(flags);
    }

    @Override
    public boolean test(StreamInfo info) {
      List<ResponseFlag> set = info.flags();
      if (flags.isEmpty()) {
        return !set.isEmpty();
      }
      for (int i = 0; i < set.size(); i++) {
        if (flags.contains(set.get(i))) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * {@code not_health_check_filter}: Envoy drops requests answered by its health-check filter. Egret
   * has no health-check filter yet, so no stream is a health check and this always matches.
   */
  record NotHealthCheck() implements AccessLogFilter {
    @Override
    public boolean test(StreamInfo info) {
      return true;
    }
  }

  /** {@code and_filter}: every sub-filter matches (evaluated in order, stopping at the first miss). */
  record And(List<AccessLogFilter> filters) implements AccessLogFilter {
    public And {
      filters = List.copyOf(filters);
    }

    @Override
    public boolean test(StreamInfo info) {
      for (int i = 0; i < filters.size(); i++) {
        if (!filters.get(i).test(info)) {
          return false;
        }
      }
      return true;
    }
  }

  /** {@code or_filter}: some sub-filter matches (evaluated in order, stopping at the first hit). */
  record Or(List<AccessLogFilter> filters) implements AccessLogFilter {
    public Or {
      filters = List.copyOf(filters);
    }

    @Override
    public boolean test(StreamInfo info) {
      for (int i = 0; i < filters.size(); i++) {
        if (filters.get(i).test(info)) {
          return true;
        }
      }
      return false;
    }
  }
}
