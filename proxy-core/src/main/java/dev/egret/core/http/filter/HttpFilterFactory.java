package dev.egret.core.http.filter;

/** A compiled filter configuration: immutable, shared by every stream of its connection manager. */
public interface HttpFilterFactory {
  /** The filter for one new stream (a stateless filter may return one shared instance). */
  HttpFilter newFilter();
}
