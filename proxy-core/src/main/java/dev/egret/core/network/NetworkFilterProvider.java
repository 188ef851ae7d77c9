package dev.egret.core.network;

import com.google.protobuf.Any;
import dev.egret.core.config.ConfigPath;
import java.util.Set;

/**
 * Compiles the {@code typed_config} of the non-terminal network filters it knows (network RBAC,
 * ext_authz, set_filter_state, …). Providers are found with {@link java.util.ServiceLoader} (a module
 * lists its providers in {@code META-INF/services/dev.egret.core.network.NetworkFilterProvider}), so
 * proxy-core never names such a filter; a type URL no provider claims is rejected with that URL. The
 * terminal filters ({@code http_connection_manager}, {@code tcp_proxy}) are proxy-core's own and not
 * provided here.
 */
public interface NetworkFilterProvider {
  /** The {@code type.googleapis.com/...} URLs this provider compiles. */
  Set<String> typeUrls();

  /** Compiles one filter configuration; returns null after recording errors in {@code at}. */
  NetworkFilterFactory compile(Any typedConfig, ConfigPath at, NetworkFilterContext context);
}
