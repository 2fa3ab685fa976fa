package yastack.xds.translate;

import static yastack.xds.translate.Fields.child;
import static yastack.xds.translate.Fields.element;
import static yastack.xds.translate.Fields.only;
import static yastack.xds.translate.PluginValues.flag;
import static yastack.xds.translate.PluginValues.list;
import static yastack.xds.translate.PluginValues.number;
import static yastack.xds.translate.PluginValues.struct;
import static yastack.xds.translate.PluginValues.text;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Envoy's {@code envoy.filters.http.rbac} as the config of our {@code rbac} plugin: the
 * {@code rules} (or, alone, the {@code shadow_rules}) with their ALLOW or DENY action and policies
 * of permissions (and, or, not, any, header, URL path, destination port) and principals (and,
 * or, not, any, direct and trusted remote address, header, URL path). CEL conditions, metadata,
 * authenticated principals, the matcher API and both rule sets together are refused, by field.
 */
final class RbacTranslator {
    static final String TYPE = "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC";

    private RbacTranslator() {}

    static Struct translate(Any any, String path) throws Rejection {
        RBAC r = ListenerTranslator.unpack(any, RBAC.class, path);
        only(r, path, "rules", "shadow_rules", "rules_stat_prefix", "shadow_rules_stat_prefix");
        if (r.hasRules() && r.hasShadowRules()) {
            throw new Rejection(child(path, "shadow_rules"), "rules and shadow_rules together are not supported: give one");
        }
        // Without rules Envoy enforces nothing: a deny list of no policies lets everything through.
        if (!r.hasRules() && !r.hasShadowRules()) return Struct.newBuilder().putFields("action", text("deny")).build();
        boolean shadow = r.hasShadowRules();
        var rules = shadow ? r.getShadowRules() : r.getRules();
        String rp = child(path, shadow ? "shadow_rules" : "rules");
        only(rules, rp, "action", "policies");
        String action = switch (rules.getAction()) {
            case ALLOW -> "allow";
            case DENY -> "deny";
            default -> throw new Rejection(child(rp, "action"), "only ALLOW and DENY are supported");
        };
        Struct.Builder policies = Struct.newBuilder();
        for (Map.Entry<String, Policy> e : rules.getPoliciesMap().entrySet()) {
            String pp = child(rp, "policies." + e.getKey());
            only(e.getValue(), pp, "permissions", "principals");
            List<Value> permissions = new ArrayList<>(), principals = new ArrayList<>();
            for (int i = 0; i < e.getValue().getPermissionsCount(); i++) {
                permissions.add(struct(permission(e.getValue().getPermissions(i), element(pp, "permissions", i))));
            }
            for (int i = 0; i < e.getValue().getPrincipalsCount(); i++) {
                principals.add(struct(principal(e.getValue().getPrincipals(i), element(pp, "principals", i))));
            }
            policies.putFields(e.getKey(), struct(Struct.newBuilder().putFields("permissions", list(permissions))
                    .putFields("principals", list(principals)).build()));
        }
        Struct.Builder out = Struct.newBuilder().putFields("action", text(action)).putFields("policies", struct(policies.build()));
        if (shadow) out.putFields("shadow", flag(true));
        return out.build();
    }

    private static Struct permission(Permission p, String path) throws Rejection {
        return switch (p.getRuleCase()) {
            case AND_RULES -> rules("and", p.getAndRules().getRulesList(), child(path, "and_rules.rules"));
            case OR_RULES -> rules("or", p.getOrRules().getRulesList(), child(path, "or_rules.rules"));
            case ANY -> one("any", flag(true));
            case HEADER -> header(p.getHeader(), child(path, "header"));
            case URL_PATH -> one("url_path", struct(string(p.getUrlPath().getPath(), child(path, "url_path.path"))));
            case DESTINATION_PORT -> one("destination_port", number(p.getDestinationPort()));
            case NOT_RULE -> one("not", struct(permission(p.getNotRule(), child(path, "not_rule"))));
            default -> throw new Rejection(child(path, p.getRuleCase().name().toLowerCase(Locale.ROOT)), "not supported");
        };
    }

    private static Struct principal(Principal p, String path) throws Rejection {
        return switch (p.getIdentifierCase()) {
            case AND_IDS -> ids("and", p.getAndIds().getIdsList(), child(path, "and_ids.ids"));
            case OR_IDS -> ids("or", p.getOrIds().getIdsList(), child(path, "or_ids.ids"));
            case ANY -> one("any", flag(true));
            // source_ip is the older name of direct_remote_ip.
            case DIRECT_REMOTE_IP -> one("direct_remote_ip", text(cidr(p.getDirectRemoteIp())));
            case SOURCE_IP -> one("direct_remote_ip", text(cidr(p.getSourceIp())));
            case REMOTE_IP -> one("remote_ip", text(cidr(p.getRemoteIp())));
            case HEADER -> header(p.getHeader(), child(path, "header"));
            case URL_PATH -> one("url_path", struct(string(p.getUrlPath().getPath(), child(path, "url_path.path"))));
            case NOT_ID -> one("not", struct(principal(p.getNotId(), child(path, "not_id"))));
            default -> throw new Rejection(child(path, p.getIdentifierCase().name().toLowerCase(Locale.ROOT)), "not supported");
        };
    }

    private static Struct rules(String kind, List<Permission> rules, String path) throws Rejection {
        List<Value> out = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) out.add(struct(permission(rules.get(i), path + "[" + i + "]")));
        return one(kind, list(out));
    }

    private static Struct ids(String kind, List<Principal> ids, String path) throws Rejection {
        List<Value> out = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) out.add(struct(principal(ids.get(i), path + "[" + i + "]")));
        return one(kind, list(out));
    }

    /** A header rule; {@code :method} is the method rule, {@code :authority} the host, other pseudo-headers are refused. */
    private static Struct header(HeaderMatcher h, String path) throws Rejection {
        MatchTranslator.Matched m = MatchTranslator.headerMatch(h, path);
        String name = h.getName().toLowerCase(Locale.ROOT);
        Struct matched;
        if (name.equals(":method") && m.kind().equals("exact") && !m.ignoreCase()) {
            matched = one("method", text(m.value()));
        } else if (name.startsWith(":") && !name.equals(":authority")) {
            throw new Rejection(child(path, "name"), "pseudo-header " + h.getName() + " is not supported (:method exact, :authority)");
        } else {
            Struct.Builder rule = rule(m);
            rule.putFields("name", text(name.equals(":authority") ? "host" : name));
            matched = one("header", struct(rule.build()));
        }
        return h.getInvertMatch() ? one("not", struct(matched)) : matched;
    }

    private static Struct string(StringMatcher s, String path) throws Rejection {
        return rule(MatchTranslator.stringMatch(s, path)).build();
    }

    /** The rbac plugin's matcher keys for what an Envoy matcher asks. */
    private static Struct.Builder rule(MatchTranslator.Matched m) {
        Struct.Builder out = Struct.newBuilder();
        if (m.kind().equals("present")) return out.putFields("present", flag(Boolean.parseBoolean(m.value())));
        out.putFields(m.kind().equals("regex") ? "safe_regex" : m.kind(), text(m.value()));
        if (m.ignoreCase()) out.putFields("ignore_case", flag(true));
        return out;
    }

    private static String cidr(CidrRange c) {
        return c.hasPrefixLen() ? c.getAddressPrefix() + "/" + c.getPrefixLen().getValue() : c.getAddressPrefix();
    }

    private static Struct one(String key, Value v) {
        return Struct.newBuilder().putFields(key, v).build();
    }
}
