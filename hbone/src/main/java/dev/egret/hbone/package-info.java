/**
 * HBONE: the mutual-TLS HTTP/2 CONNECT server ztunnel talks to on port 15008, the HBONE client for
 * origination, SPIFFE identities and PROXY protocol v2. The server side is the connection manager's
 * CONNECT mode in proxy-core; this package holds the client ({@link dev.egret.hbone.HboneConnector}).
 */
package dev.egret.hbone;
