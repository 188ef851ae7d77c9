/**
 * HBONE: the mutual-TLS HTTP/2 CONNECT server ztunnel talks to on port 15008, the HBONE client for
 * origination, SPIFFE identities and PROXY protocol v2. Not built yet; see the mesh-transport issue.
 */
package dev.egret.hbone;
