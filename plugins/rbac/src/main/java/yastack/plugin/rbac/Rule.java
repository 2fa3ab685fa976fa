package yastack.plugin.rbac;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import yastack.api.HttpRequestHead;
import yastack.api.HttpStream;

/**
 * One condition of a policy, Envoy's RBAC permission or principal: about the request (path,
 * method, header, the listener's port) or about who sent it (the client's address).
 */
sealed interface Rule {
    boolean matches(HttpStream stream, HttpRequestHead request);

    record Any() implements Rule {
        public boolean matches(HttpStream s, HttpRequestHead r) { return true; }
    }

    record Not(Rule rule) implements Rule {
        public boolean matches(HttpStream s, HttpRequestHead r) { return !rule.matches(s, r); }
    }

    record And(List<Rule> rules) implements Rule {
        public boolean matches(HttpStream s, HttpRequestHead r) {
            for (Rule x : rules) if (!x.matches(s, r)) return false;
            return true;
        }
    }

    record Or(List<Rule> rules) implements Rule {
        public boolean matches(HttpStream s, HttpRequestHead r) {
            for (Rule x : rules) if (x.matches(s, r)) return true;
            return false;
        }
    }

    /** The request path (no query), as routing sees it. */
    record Path(StringMatch match) implements Rule {
        public boolean matches(HttpStream s, HttpRequestHead r) { return match.matches(r.path()); }
    }

    record Method(String method) implements Rule {
        public boolean matches(HttpStream s, HttpRequestHead r) { return r.method().equalsIgnoreCase(method); }
    }

    /** A header's value (several fields of one name: joined with ","); {@code match} null: present at all. */
    record Header(String name, StringMatch match) implements Rule {
        public boolean matches(HttpStream s, HttpRequestHead r) {
            List<String> all = r.headers().getAll(name);
            if (all.isEmpty()) return false;
            return match == null || match.matches(String.join(",", all));
        }
    }

    /** The listener's port the request came in on. */
    record DestinationPort(int port) implements Rule {
        public boolean matches(HttpStream s, HttpRequestHead r) {
            InetSocketAddress local = s.downstreamLocalAddress();
            return local != null && local.getPort() == port;
        }
    }

    /**
     * An address in {@code range}: the client's as the listener trusts it (PROXY protocol, trusted
     * x-forwarded-for hops), or with {@code direct} the TCP peer's (Envoy's direct_remote_ip).
     */
    record RemoteIp(Cidr range, boolean direct) implements Rule {
        public boolean matches(HttpStream s, HttpRequestHead r) {
            InetSocketAddress remote = direct ? s.downstreamDirectRemoteAddress() : s.downstreamRemoteAddress();
            return remote != null && remote.getAddress() != null && range.contains(remote.getAddress());
        }
    }

    /** Envoy's StringMatcher: exact, prefix, suffix, contains or a regex (whole value), optionally ignoring case. */
    record StringMatch(String kind, String value, Pattern regex, boolean ignoreCase) {
        boolean matches(String s) {
            if (regex != null) return regex.matcher(s).matches();
            String v = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
            String in = ignoreCase ? s.toLowerCase(Locale.ROOT) : s;
            return switch (kind) {
                case "exact" -> in.equals(v);
                case "prefix" -> in.startsWith(v);
                case "suffix" -> in.endsWith(v);
                default -> in.contains(v);
            };
        }
    }
}
