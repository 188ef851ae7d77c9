package dev.egret.core.network;

/** A compiled network filter configuration: immutable, shared by every connection of its chain. */
public interface NetworkFilterFactory {
  /** The filter for one new connection (a stateless filter may return one shared instance). */
  NetworkFilter newFilter();
}
