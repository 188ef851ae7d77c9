/**
 * The xDS client: bootstrap {@code dynamic_resources} run as one ADS stream (state of the world or
 * delta) to a control plane, applying LDS/RDS/CDS/EDS through proxy-core's
 * {@link dev.egret.core.dynamic.ResourceManager}, with ACK/NACK, reconnection with back-off and the
 * last good configuration kept while the control plane is away. Started by {@link AdsClientFactory}.
 */
package dev.egret.xds;
