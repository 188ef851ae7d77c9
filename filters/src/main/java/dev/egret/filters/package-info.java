/**
 * HTTP and network filters (RBAC with CEL, ext_authz, header mutation, set_filter_state), each
 * registered with proxy-core by its typed_config type URL through {@link java.util.ServiceLoader}.
 * Nothing is registered yet: until a filter lands here, a configuration naming it is rejected with
 * its type URL.
 */
package dev.egret.filters;
