package dev.egret.filters.cel;

/**
 * Supplies attribute values for one evaluation, by their declared names ({@link CelAttributes}).
 * Called only for the attributes an expression reads, so an implementation computes each value on
 * demand.
 */
@FunctionalInterface
public interface CelActivation {
  /** The value of {@code name} in its run-time type (see {@link CelAttributes}), or null when absent. */
  Object attribute(String name);
}
