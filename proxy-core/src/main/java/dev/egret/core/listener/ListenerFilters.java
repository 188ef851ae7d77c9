package dev.egret.core.listener;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.function.IntPredicate;

/**
 * A listener's compiled {@code listener_filters}, in order, and the listener-filter timeout
 * ({@code listener_filters_timeout}, Envoy's default 15 s; 0 = none): a connection whose listener
 * filters have not finished by then is closed, or, with {@code continue_on_listener_filters_timeout},
 * handed on with what was learned so far.
 *
 * @param stages               the filters
 * @param timeoutMillis        0 for no timeout
 * @param continueOnTimeout    whether a timeout proceeds to chain selection instead of closing
 */
public record ListenerFilters(List<Entry> stages, long timeoutMillis, boolean continueOnTimeout) {
  public static final long DEFAULT_TIMEOUT_MILLIS = 15_000;
  public static final ListenerFilters NONE = new ListenerFilters(List.of(), DEFAULT_TIMEOUT_MILLIS, false);

  /**
   * One filter and when it is skipped.
   *
   * @param disabledOnPort {@code filter_disabled}, on the destination port; null = never disabled
   */
  public record Entry(ListenerFilterStage stage, IntPredicate disabledOnPort) {
    public Entry {
      requireNonNull(stage, "stage");
    }

    boolean disabled(ConnectionFacts facts) {
      return disabledOnPort != null && disabledOnPort.test(facts.localPort());
    }
  }

  public ListenerFilters {
    stages = List.copyOf(stages);
  }

  /** Whether a stage of this kind is configured. */
  public boolean has(Class<? extends ListenerFilterStage> kind) {
    return stages.stream().anyMatch(e -> kind.isInstance(e.stage()));
  }
}
