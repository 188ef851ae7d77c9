/**
 * The xDS client: bootstrap {@code dynamic_resources}, ADS (state of the world and delta), ACK/NACK
 * and SDS. Not built yet; a bootstrap with {@code dynamic_resources} is rejected by name until then.
 */
package dev.egret.xds;
