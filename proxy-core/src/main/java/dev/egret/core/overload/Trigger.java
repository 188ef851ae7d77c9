package dev.egret.core.overload;

/**
 * One trigger of an overload action, Envoy's {@code ThresholdTrigger} or {@code ScaledTrigger}, on the
 * pressure (0 = idle, 1 = at the limit) of one resource monitor.
 *
 * @param resource           the resource monitor's name
 * @param scalingThreshold   below it the trigger contributes 0; a threshold trigger has it equal to
 *                           {@code saturationThreshold}
 * @param saturationThreshold at or above it the trigger is saturated (1); between the two the value grows
 *                           linearly
 */
public record Trigger(String resource, double scalingThreshold, double saturationThreshold) {
  public Trigger {
    java.util.Objects.requireNonNull(resource, "resource");
  }

  /** Envoy's {@code ThresholdTrigger}: 1 once the pressure reaches {@code value}, else 0. */
  public static Trigger threshold(String resource, double value) {
    return new Trigger(resource, value, value);
  }

  /** The action value this trigger asks for at {@code pressure}: 0, 1, or a fraction between. */
  public double value(double pressure) {
    if (pressure >= saturationThreshold) {
      return 1.0;
    }
    if (pressure < scalingThreshold || saturationThreshold <= scalingThreshold) {
      return 0.0;
    }
    return (pressure - scalingThreshold) / (saturationThreshold - scalingThreshold);
  }
}
