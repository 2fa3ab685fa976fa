package yastack.plugin.rbac;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.FilterResult;
import yastack.api.HttpFilter;
import yastack.api.HttpFilterFactory;
import yastack.api.HttpRequestHead;
import yastack.api.HttpStream;
import yastack.api.LocalReply;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginContext;
import yastack.api.PluginStats;

/**
 * {@code rbac}: Envoy's role-based access control on requests. A policy matches a request when
 * any of its permissions (what is asked: path, method, header, port) and any of its principals
 * (who asks: the client's address, a header) match. With {@code action: allow} (the default)
 * a request no policy matches gets {@code 403}; with {@code deny}, one that a policy matches
 * does. {@code shadow: true} only counts what would happen.
 *
 * <pre>
 * config:
 *   action: allow
 *   policies:
 *     office: {permissions: [{url_path: {prefix: /admin}}], principals: [{remote_ip: 10.0.0.0/8}]}
 *     public: {permissions: [{not: {url_path: {prefix: /admin}}}], principals: [{any: true}]}
 * </pre>
 *
 * Rules: {@code any: true}, {@code url_path} / {@code header: {name, ...}} with one of
 * {@code exact, prefix, suffix, contains, safe_regex} (and {@code ignore_case}), or
 * {@code present: true} for a header, {@code method}, {@code destination_port},
 * {@code remote_ip} (an address or CIDR range, the client as the listener trusts it),
 * {@code direct_remote_ip} (the same for the TCP peer itself, e.g. only from the load balancer), and
 * {@code not}, {@code and}, {@code or} around other rules.
 *
 * Stats: {@code plugin.rbac.allowed}, {@code .denied}; in shadow mode {@code .shadow_allowed},
 * {@code .shadow_denied}.
 */
public final class RbacFilterFactory implements HttpFilterFactory {
    @Override
    public String name() {
        return "rbac";
    }

    @Override
    public String description() {
        return "allow or deny requests by client address, path, method, headers and port (Envoy's RBAC); 403";
    }

    record Policy(String name, List<Rule> permissions, List<Rule> principals) {
        boolean matches(HttpStream s, HttpRequestHead r) {
            return any(permissions, s, r) && any(principals, s, r);
        }

        private static boolean any(List<Rule> rules, HttpStream s, HttpRequestHead r) {
            for (Rule x : rules) if (x.matches(s, r)) return true;
            return false;
        }
    }

    record Settings(boolean allow, boolean shadow, List<Policy> policies) {}

    static Settings settings(PluginConfig c) throws PluginConfigException {
        c.requireOnly("action", "policies", "shadow");
        String action = c.string("action", "allow");
        if (!action.equals("allow") && !action.equals("deny")) {
            throw new PluginConfigException(c.path("action") + ": \"" + action + "\" is not one of allow, deny");
        }
        PluginConfig p = c.object("policies");
        List<Policy> policies = new ArrayList<>();
        for (String name : p.keys()) {
            PluginConfig one = p.object(name).requireOnly("permissions", "principals");
            List<Rule> permissions = rules(one, "permissions"), principals = rules(one, "principals");
            if (permissions.isEmpty()) throw new PluginConfigException(one.path("permissions") + ": a policy needs at least one");
            if (principals.isEmpty()) throw new PluginConfigException(one.path("principals") + ": a policy needs at least one");
            policies.add(new Policy(name, permissions, principals));
        }
        return new Settings(action.equals("allow"), c.bool("shadow", false), List.copyOf(policies));
    }

    private static List<Rule> rules(PluginConfig c, String key) throws PluginConfigException {
        List<Rule> out = new ArrayList<>();
        for (PluginConfig r : c.objects(key)) out.add(rule(r));
        return List.copyOf(out);
    }

    private static Rule rule(PluginConfig r) throws PluginConfigException {
        if (r.keys().size() != 1) {
            throw new PluginConfigException(r.path() + ": a rule is one of any, url_path, method, header, destination_port, "
                    + "remote_ip, direct_remote_ip, not, and, or; got " + r.keys());
        }
        String kind = r.keys().iterator().next();
        return switch (kind) {
            case "any" -> {
                if (!r.bool("any", false)) throw new PluginConfigException(r.path("any") + ": only true is meaningful");
                yield new Rule.Any();
            }
            case "url_path" -> new Rule.Path(match(r.object("url_path"), false));
            case "method" -> new Rule.Method(r.requireString("method"));
            case "header" -> {
                PluginConfig h = r.object("header");
                String name = h.requireString("name");
                yield h.bool("present", false) ? new Rule.Header(name, null) : new Rule.Header(name, match(h, true));
            }
            case "destination_port" -> {
                long port = r.requireInteger("destination_port");
                if (port < 1 || port > 65535) throw new PluginConfigException(r.path("destination_port") + ": must be 1..65535");
                yield new Rule.DestinationPort((int) port);
            }
            case "remote_ip", "direct_remote_ip" -> {
                try {
                    yield new Rule.RemoteIp(Cidr.parse(r.requireString(kind)), kind.equals("direct_remote_ip"));
                } catch (IllegalArgumentException e) {
                    throw new PluginConfigException(r.path(kind) + ": " + e.getMessage());
                }
            }
            case "not" -> new Rule.Not(rule(r.object("not")));
            case "and" -> new Rule.And(rules(r, "and"));
            case "or" -> new Rule.Or(rules(r, "or"));
            default -> throw new PluginConfigException(r.path(kind) + ": unknown rule; one of any, url_path, method, header, "
                    + "destination_port, remote_ip, direct_remote_ip, not, and, or");
        };
    }

    private static Rule.StringMatch match(PluginConfig m, boolean header) throws PluginConfigException {
        if (header) m.requireOnly("name", "exact", "prefix", "suffix", "contains", "safe_regex", "ignore_case", "present");
        else m.requireOnly("exact", "prefix", "suffix", "contains", "safe_regex", "ignore_case");
        List<String> kinds = new ArrayList<>();
        for (String k : List.of("exact", "prefix", "suffix", "contains", "safe_regex")) if (m.has(k)) kinds.add(k);
        if (kinds.size() != 1) {
            throw new PluginConfigException(m.path() + ": needs exactly one of exact, prefix, suffix, contains, safe_regex"
                    + (header ? " (or present: true)" : ""));
        }
        String kind = kinds.getFirst();
        String value = m.requireString(kind);
        boolean ignoreCase = m.bool("ignore_case", false);
        if (!kind.equals("safe_regex")) return new Rule.StringMatch(kind, value, null, ignoreCase);
        try {
            return new Rule.StringMatch(kind, value, Pattern.compile(value, ignoreCase ? Pattern.CASE_INSENSITIVE : 0), ignoreCase);
        } catch (PatternSyntaxException e) {
            throw new PluginConfigException(m.path("safe_regex") + ": invalid regex: " + e.getDescription());
        }
    }

    @Override
    public void validate(PluginConfig config) throws PluginConfigException {
        settings(config);
    }

    @Override
    public ConfiguredHttpFilter create(PluginConfig config, PluginContext context) throws PluginConfigException {
        Settings s = settings(config);
        PluginStats stats = context.stats();
        PluginStats.Counter allowedCount = stats.counter(s.shadow() ? "shadow_allowed" : "allowed");
        PluginStats.Counter deniedCount = stats.counter(s.shadow() ? "shadow_denied" : "denied");
        return stream -> new HttpFilter() {
            @Override
            public FilterResult onRequestHeaders(HttpStream st, HttpRequestHead request) {
                boolean matched = false;
                for (Policy p : s.policies()) {
                    if (p.matches(st, request)) {
                        matched = true;
                        break;
                    }
                }
                boolean allowed = matched == s.allow();
                (allowed ? allowedCount : deniedCount).inc();
                if (allowed || s.shadow()) return FilterResult.proceed();
                return FilterResult.respond(LocalReply.of(403, "RBAC: access denied\n"));
            }
        };
    }
}
