package yastack.config;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import yastack.api.config.DirectResponse;
import yastack.api.config.FilterRef;
import yastack.api.config.HeaderMatcher;
import yastack.api.config.HeaderValue;
import yastack.api.config.HttpConnectionManager;
import yastack.api.config.QueryParameterMatcher;
import yastack.api.config.Redirect;
import yastack.api.config.RetryPolicy;
import yastack.api.config.Route;
import yastack.api.config.RouteAction;
import yastack.api.config.RouteConfig;
import yastack.api.config.RouteMatch;
import yastack.api.config.RouterRef;
import yastack.api.config.VirtualHost;
import yastack.api.config.WeightedCluster;

/** Semantic checks for HTTP listeners: connection manager, filters, virtual hosts and routes. */
final class HttpValidator {
    private static final Set<Integer> REDIRECT_CODES = Set.of(301, 302, 303, 307, 308);
    /** A host with an optional port; the lazy host lets the port group take a trailing :digits. */
    private static final Pattern HOST_WITH_PORT = Pattern.compile("(.+?)(?::(\\d{1,5}))?");

    private final Findings f;
    private final Set<String> clusters;
    private final Set<String> l4Only;
    private final EdgeValidator edge;
    private final ObservabilityValidator observability;
    private final boolean clustersMayCome;

    /**
     * @param l4Only clusters that send a PROXY protocol header, which only tcp listeners may use
     * @param clustersMayCome clusters come from a control plane too, so unknown names are not errors
     */
    HttpValidator(Findings f, Set<String> clusters, Set<String> l4Only, boolean clustersMayCome) {
        this.f = f;
        this.clusters = clusters;
        this.l4Only = l4Only;
        this.edge = new EdgeValidator(f);
        this.observability = new ObservabilityValidator(f);
        this.clustersMayCome = clustersMayCome;
    }

    void connectionManager(String path, HttpConnectionManager hcm) {
        f.exclusive(path, true, "route_config", hcm.hasRouteConfig(), "router", hcm.hasRouter());
        if (hcm.hasRouteConfig()) routeConfig(path + ".route_config", hcm.getRouteConfig());
        if (hcm.hasRouter()) router(path + ".router", hcm.getRouter());
        for (int i = 0; i < hcm.getFiltersCount(); i++) filter(path + ".filters[" + i + "]", hcm.getFilters(i));
        observability.accessLogs(path + ".access_log", hcm.getAccessLogList());
        if (hcm.hasTracing()) observability.tracing(path + ".tracing", hcm.getTracing());
        f.nonNegative(path + ".idle_timeout", hcm.hasIdleTimeout(), hcm.getIdleTimeout());
        f.nonNegative(path + ".request_headers_timeout", hcm.hasRequestHeadersTimeout(), hcm.getRequestHeadersTimeout());
        edge.connectionManager(path, hcm);
        // RFC 9110 7.6.3: received-by is a pseudonym (a token) or host[:port]
        if (hcm.hasVia() && !hcm.getVia().isEmpty() && !hcm.getVia().matches("[A-Za-z0-9!#$%&'*+.^_`|~:-]+")) {
            f.error(path + ".via", "must be a token or host[:port] (letters, digits, !#$%&'*+.^_`|~:-), got '" + hcm.getVia() + "'");
        }
        if (hcm.hasCompression()) {
            var c = hcm.getCompression();
            if (f.written(path + ".compression.gzip_level") && (c.getGzipLevel() < 1 || c.getGzipLevel() > 9)) {
                f.error(path + ".compression.gzip_level", "must be 1..9, got " + Integer.toUnsignedString(c.getGzipLevel()));
            }
            for (int i = 0; i < c.getContentTypesCount(); i++) {
                String t = c.getContentTypes(i);
                String[] parts = t.split("/", -1);
                if (parts.length != 2 || !NetText.isToken(parts[0]) || !NetText.isToken(parts[1])) {
                    f.error(path + ".compression.content_types[" + i + "]", "must be a media type such as text/html, got '" + t + "'");
                }
            }
        }
        Set<String> upgrades = new HashSet<>();
        for (int i = 0; i < hcm.getUpgradeConfigsCount(); i++) {
            String p = path + ".upgrade_configs[" + i + "].upgrade_type";
            String type = hcm.getUpgradeConfigs(i).getUpgradeType();
            if (!NetText.isToken(type)) f.error(p, "must be a protocol name (a token), got '" + type + "'");
            else if (type.equalsIgnoreCase("h2c")) f.error(p, "h2c upgrades are not proxied; HTTP/2 clients connect with prior knowledge (codec_type auto or http2) or over TLS with alpn: [h2]");
            else if (!upgrades.add(type.toLowerCase(Locale.ROOT))) f.error(p, "'" + type + "' is listed twice");
        }
    }

    void clusterRef(String path, String cluster) {
        clusterRef(path, cluster, false);
    }

    void clusterRef(String path, String cluster, boolean l4) {
        if (cluster.isEmpty()) f.error(path, "a cluster name is required");
        else if (!clusters.contains(cluster)) {
            if (!clustersMayCome) f.error(path, "unknown cluster '" + cluster + "'");
        }
        else if (!l4 && l4Only.contains(cluster)) {
            f.error(path, "cluster '" + cluster + "' sends a PROXY protocol header, which is for tcp listeners; "
                    + "HTTP requests carry the client in x-forwarded-for");
        }
    }

    private void router(String path, RouterRef r) {
        f.exclusive(path, true, "plugin", f.given(path + ".plugin", r.getPlugin()),
                "script", f.given(path + ".script", r.getScript()));
        if (f.written(path + ".plugin") && r.getPlugin().isBlank()) f.error(path + ".plugin", "must not be empty");
        if (f.given(path + ".script", r.getScript())) f.existingFile(path + ".script", r.getScript(), "router script");
    }

    private void filter(String path, FilterRef filter) {
        f.exclusive(path, true, "name", f.given(path + ".name", filter.getName()),
                "script", f.given(path + ".script", filter.getScript()));
        if (f.written(path + ".name") && filter.getName().isBlank()) f.error(path + ".name", "must not be empty");
        if (f.given(path + ".script", filter.getScript())) {
            f.existingFile(path + ".script", filter.getScript(), "filter script");
        }
    }

    private void routeConfig(String path, RouteConfig rc) {
        if (rc.getVirtualHostsCount() == 0) f.error(path + ".virtual_hosts", "needs at least one virtual host");
        Map<String, Integer> domainOwner = new HashMap<>();
        for (int v = 0; v < rc.getVirtualHostsCount(); v++) {
            String vpath = path + ".virtual_hosts[" + v + "]";
            VirtualHost vh = rc.getVirtualHosts(v);
            if (vh.getDomainsCount() == 0) f.error(vpath + ".domains", "a virtual host needs at least one domain");
            for (int d = 0; d < vh.getDomainsCount(); d++) {
                String dpath = vpath + ".domains[" + d + "]";
                String domain = vh.getDomains(d);
                if (!validDomain(domain)) {
                    f.error(dpath, "'" + domain + "' is not a domain pattern; use an exact host, *.suffix, prefix.* or *");
                    continue;
                }
                Integer first = domainOwner.putIfAbsent(domain.toLowerCase(Locale.ROOT), v);
                if (first != null) {
                    f.error(dpath, "domain '" + domain + "' is already used by virtual_hosts[" + first + "]");
                }
            }
            headerEdits(vpath, vh.getRequestHeadersToAddList(), vh.getRequestHeadersToRemoveList(),
                    vh.getResponseHeadersToAddList(), vh.getResponseHeadersToRemoveList());
            for (int r = 0; r < vh.getRoutesCount(); r++) route(vpath + ".routes[" + r + "]", vh.getRoutes(r));
        }
    }

    static boolean validDomain(String domain) {
        if (domain.equals("*")) return true;
        String host = withoutPort(domain);
        if (host == null) return false;
        if (host.startsWith("*.")) return NetText.isHostname(host.substring(2));
        if (host.endsWith(".*")) return NetText.isHostname(host.substring(0, host.length() - 2));
        return validHost(host);
    }

    /** A host as it appears in a Host header: name, IPv4 or [IPv6], optionally with :port. */
    static boolean validHostHeader(String value) {
        String host = withoutPort(value);
        return host != null && validHost(host);
    }

    private static boolean validHost(String host) {
        if (host.startsWith("[") && host.endsWith("]")) {
            return NetText.ipLiteral(host.substring(1, host.length() - 1)) != null;
        }
        return NetText.isHostname(host) || NetText.ipv4(host) != null;
    }

    private static String withoutPort(String value) {
        var m = HOST_WITH_PORT.matcher(value);
        if (!m.matches()) return null;
        if (m.group(2) != null && Integer.parseInt(m.group(2)) > 65535) return null;
        return m.group(1);
    }

    private void headerEdits(String path, List<HeaderValue> reqAdd, List<String> reqRemove,
                             List<HeaderValue> respAdd, List<String> respRemove) {
        headerValues(path + ".request_headers_to_add", reqAdd);
        headerNames(path + ".request_headers_to_remove", reqRemove);
        headerValues(path + ".response_headers_to_add", respAdd);
        headerNames(path + ".response_headers_to_remove", respRemove);
    }

    private void headerValues(String path, List<HeaderValue> values) {
        for (int i = 0; i < values.size(); i++) {
            HeaderValue hv = values.get(i);
            f.headerName(path + "[" + i + "].name", hv.getName());
            if (hv.getValue().chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                f.error(path + "[" + i + "].value", "header values must not contain CR, LF or NUL");
            }
        }
    }

    private void headerNames(String path, List<String> names) {
        for (int i = 0; i < names.size(); i++) f.headerName(path + "[" + i + "]", names.get(i));
    }

    private void route(String path, Route r) {
        f.exclusive(path, true, "route", r.hasRoute(), "direct_response", r.hasDirectResponse(),
                "redirect", r.hasRedirect());
        if (r.hasMatch()) match(path + ".match", r.getMatch());
        if (r.hasRoute()) action(path + ".route", r.getRoute());
        if (r.hasDirectResponse()) directResponse(path + ".direct_response", r.getDirectResponse());
        if (r.hasRedirect()) redirect(path + ".redirect", r.getRedirect());
        headerEdits(path, r.getRequestHeadersToAddList(), r.getRequestHeadersToRemoveList(),
                r.getResponseHeadersToAddList(), r.getResponseHeadersToRemoveList());
    }

    private void match(String path, RouteMatch m) {
        boolean prefix = f.given(path + ".prefix", m.getPrefix());
        boolean exactPath = f.given(path + ".path", m.getPath());
        boolean regex = f.given(path + ".regex", m.getRegex());
        f.exclusive(path, false, "prefix", prefix, "path", exactPath, "regex", regex);
        if (prefix && !m.getPrefix().startsWith("/")) f.error(path + ".prefix", "must start with /");
        if (exactPath && !m.getPath().startsWith("/")) f.error(path + ".path", "must start with /");
        if (regex) f.regex(path + ".regex", m.getRegex());
        for (int i = 0; i < m.getHeadersCount(); i++) {
            HeaderMatcher h = m.getHeaders(i);
            String p = path + ".headers[" + i + "]";
            f.headerName(p + ".name", h.getName());
            f.exclusive(p, false, "exact", f.given(p + ".exact", h.getExact()),
                    "prefix", f.given(p + ".prefix", h.getPrefix()), "regex", f.given(p + ".regex", h.getRegex()),
                    "present", h.getPresent(), "suffix", f.given(p + ".suffix", h.getSuffix()),
                    "contains", f.given(p + ".contains", h.getContains()));
            if (f.given(p + ".regex", h.getRegex())) f.regex(p + ".regex", h.getRegex());
        }
        for (int i = 0; i < m.getQueryParametersCount(); i++) {
            QueryParameterMatcher q = m.getQueryParameters(i);
            String p = path + ".query_parameters[" + i + "]";
            if (q.getName().isEmpty()) f.error(p + ".name", "a query parameter name is required");
            f.exclusive(p, false, "exact", f.given(p + ".exact", q.getExact()),
                    "prefix", f.given(p + ".prefix", q.getPrefix()), "regex", f.given(p + ".regex", q.getRegex()),
                    "present", q.getPresent());
            if (f.given(p + ".regex", q.getRegex())) f.regex(p + ".regex", q.getRegex());
        }
        for (int i = 0; i < m.getMethodsCount(); i++) {
            if (!NetText.isToken(m.getMethods(i))) {
                f.error(path + ".methods[" + i + "]", "'" + m.getMethods(i) + "' is not a valid HTTP method");
            }
        }
    }

    private void action(String path, RouteAction a) {
        f.exclusive(path, true, "cluster", f.given(path + ".cluster", a.getCluster()),
                "weighted_clusters", a.getWeightedClustersCount() > 0);
        if (f.given(path + ".cluster", a.getCluster())) clusterRef(path + ".cluster", a.getCluster());
        for (int i = 0; i < a.getWeightedClustersCount(); i++) {
            WeightedCluster wc = a.getWeightedClusters(i);
            String p = path + ".weighted_clusters[" + i + "]";
            clusterRef(p + ".name", wc.getName());
            if (wc.getWeight() == 0) f.error(p + ".weight", "must be greater than 0");
        }
        f.nonNegative(path + ".timeout", a.hasTimeout(), a.getTimeout());
        f.nonNegative(path + ".idle_timeout", a.hasIdleTimeout(), a.getIdleTimeout());
        if (a.hasRetryPolicy()) retryPolicy(path + ".retry_policy", a.getRetryPolicy());
        for (int i = 0; i < a.getRequestMirrorPoliciesCount(); i++) {
            var m = a.getRequestMirrorPolicies(i);
            String p = path + ".request_mirror_policies[" + i + "]";
            if (f.given(p + ".cluster", m.getCluster())) clusterRef(p + ".cluster", m.getCluster());
            else f.error(p + ".cluster", "names the cluster the copies go to");
            if (m.hasPercent() && !(m.getPercent() >= 0 && m.getPercent() <= 100)) f.error(p + ".percent", "must be 0..100, got " + m.getPercent());
        }
        if (a.hasHashPolicy()) ConfigValidator.hashPolicy(f, path + ".hash_policy", a.getHashPolicy());
        if (!a.getHostRewrite().isEmpty() && !validHostHeader(a.getHostRewrite())) {
            f.error(path + ".host_rewrite", "'" + a.getHostRewrite() + "' is not a host name");
        }
    }

    /** Envoy's names; RetryRules compiles them. */
    private static final List<String> RETRY_CONDITIONS = List.of("5xx", "gateway-error", "reset", "connect-failure",
            "retriable-status-codes");
    private static final int MAX_RETRIES = 10;

    private void retryPolicy(String path, RetryPolicy p) {
        boolean codes = false;
        if (p.getRetryOn().isBlank()) f.error(path + ".retry_on", "is required: a comma list of " + String.join(", ", RETRY_CONDITIONS));
        for (String c : p.getRetryOn().split(",")) {
            String condition = c.trim();
            if (condition.isEmpty()) continue;
            if (!RETRY_CONDITIONS.contains(condition)) {
                f.error(path + ".retry_on", "unknown condition '" + condition + "'; one of " + String.join(", ", RETRY_CONDITIONS));
            }
            codes |= condition.equals("retriable-status-codes");
        }
        if (codes && p.getRetriableStatusCodesCount() == 0) {
            f.error(path + ".retriable_status_codes", "retry_on has retriable-status-codes but no codes are listed");
        }
        if (!codes && p.getRetriableStatusCodesCount() > 0) {
            f.error(path + ".retriable_status_codes", "has no effect unless retry_on includes retriable-status-codes");
        }
        for (int i = 0; i < p.getRetriableStatusCodesCount(); i++) {
            int s = p.getRetriableStatusCodes(i);
            if (s < 100 || s > 599) f.error(path + ".retriable_status_codes[" + i + "]", "must be an HTTP status 100..599, got " + Integer.toUnsignedString(s));
        }
        if (p.hasNumRetries() && Integer.compareUnsigned(p.getNumRetries(), MAX_RETRIES) > 0) {
            f.error(path + ".num_retries", "must be at most " + MAX_RETRIES + ", got " + Integer.toUnsignedString(p.getNumRetries()));
        }
        f.nonNegative(path + ".per_try_timeout", p.hasPerTryTimeout(), p.getPerTryTimeout());
        f.nonNegative(path + ".per_try_idle_timeout", p.hasPerTryIdleTimeout(), p.getPerTryIdleTimeout());
    }

    private void directResponse(String path, DirectResponse d) {
        if (d.getStatus() < 100 || d.getStatus() > 599) {
            f.error(path + ".status", "must be an HTTP status 100..599, got " + Integer.toUnsignedString(d.getStatus()));
        }
    }

    private void redirect(String path, Redirect r) {
        if (r.getCode() != 0 && !REDIRECT_CODES.contains(r.getCode())) {
            f.error(path + ".code", "must be one of 301, 302, 303, 307, 308, got " + Integer.toUnsignedString(r.getCode()));
        }
        f.exclusive(path, false, "path", f.given(path + ".path", r.getPath()),
                "prefix_rewrite", f.given(path + ".prefix_rewrite", r.getPrefixRewrite()));
        if (f.given(path + ".path", r.getPath()) && !r.getPath().startsWith("/")) f.error(path + ".path", "must start with /");
        if (!r.getScheme().isEmpty() && !r.getScheme().equals("http") && !r.getScheme().equals("https")) {
            f.error(path + ".scheme", "must be http or https, got '" + r.getScheme() + "'");
        }
        if (!r.getHost().isEmpty() && !validHostHeader(r.getHost())) f.error(path + ".host", "'" + r.getHost() + "' is not a host name");
    }
}
