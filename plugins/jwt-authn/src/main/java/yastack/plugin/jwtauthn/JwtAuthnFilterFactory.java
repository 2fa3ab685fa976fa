package yastack.plugin.jwtauthn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
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
 * {@code jwt_authn}: Envoy's JWT authentication. Requests whose path a rule matches must carry
 * a token (by default {@code Authorization: Bearer ...}) that one of the rule's providers signed
 * (a key of its JWKS, given in the config or fetched from a cluster and cached), unexpired, from
 * its issuer and for one of its audiences. The upstream then gets the claims it asks for as
 * headers, and not the token unless {@code forward}. The first matching rule decides; a rule
 * without requirements lets requests through, and so does a path no rule matches.
 *
 * <pre>
 * config:
 *   providers:
 *     idp:
 *       issuer: https://idp.example.com
 *       audiences: [shop]
 *       remote_jwks: {cluster: idp, path: /.well-known/jwks.json, timeout: 1s, cache_duration: 10m}
 *       claim_to_headers: [{header_name: x-user, claim_name: sub}]
 *   rules:
 *     - {match: {prefix: /health}}
 *     - {match: {prefix: /api}, requires: idp}
 *     - {match: {prefix: /internal}, requires_all: [idp, svc]}   # with a provider svc too: a token of each
 *     - {match: {prefix: /}, requires_any: [idp], allow_missing: true}
 * </pre>
 *
 * A refused request gets 401 (403 when only its audience is wrong) with Envoy's reason as the
 * body ({@code Jwt is missing}, {@code Jwt is expired}, {@code Jwt verification fails}, ...) and a
 * {@code www-authenticate: Bearer} challenge. Stats: {@code plugin.jwt_authn.allowed},
 * {@code .denied}, {@code .jwks_fetch_success}, {@code .jwks_fetch_failed}.
 */
public final class JwtAuthnFilterFactory implements HttpFilterFactory {
    @Override
    public String name() {
        return "jwt_authn";
    }

    @Override
    public String description() {
        return "verify JSON Web Tokens (RS, PS, ES, EdDSA) against a JWKS, per path rule (Envoy's jwt_authn); 401";
    }

    /** {@code all}: every provider must verify a token of its own (requires_all), else any one of them. */
    record Rule(String prefix, String path, List<Provider> providers, boolean all, boolean allowMissing, boolean allowFailed) {
        boolean matches(String requestPath) {
            return path != null ? requestPath.equals(path) : requestPath.startsWith(prefix);
        }
    }

    record Settings(List<Rule> rules) {}

    /** The settings in {@code c}; {@code stats} null when only checking them. */
    static Settings settings(PluginConfig c, PluginStats stats) throws PluginConfigException {
        c.requireOnly("providers", "rules");
        PluginConfig p = c.object("providers");
        Map<String, Provider> providers = new LinkedHashMap<>();
        for (String name : p.keys()) providers.put(name, Provider.of(name, p.object(name), stats));
        if (providers.isEmpty()) throw new PluginConfigException(c.path("providers") + ": at least one provider");
        List<Rule> rules = new ArrayList<>();
        for (PluginConfig r : c.objects("rules")) {
            r.requireOnly("match", "requires", "requires_any", "requires_all", "allow_missing", "allow_missing_or_failed");
            PluginConfig m = r.object("match").requireOnly("prefix", "path");
            if (m.has("prefix") == m.has("path")) throw new PluginConfigException(m.path() + ": give one of prefix and path");
            int kinds = (r.has("requires") ? 1 : 0) + (r.has("requires_any") ? 1 : 0) + (r.has("requires_all") ? 1 : 0);
            if (kinds > 1) throw new PluginConfigException(r.path() + ": give one of requires, requires_any and requires_all");
            boolean all = r.has("requires_all");
            List<String> names = new ArrayList<>(r.strings(all ? "requires_all" : "requires_any"));
            if (r.has("requires")) names.add(r.requireString("requires"));
            List<Provider> required = new ArrayList<>();
            for (String n : names) {
                Provider found = providers.get(n);
                if (found == null) throw new PluginConfigException(r.path() + ": no provider named " + n + " (providers: " + providers.keySet() + ")");
                required.add(found);
            }
            boolean allowFailed = r.bool("allow_missing_or_failed", false);
            boolean allowMissing = allowFailed || r.bool("allow_missing", false);
            if (allowMissing && (required.isEmpty() || all)) {
                throw new PluginConfigException(r.path(allowFailed ? "allow_missing_or_failed" : "allow_missing") + ": goes with requires or requires_any");
            }
            if (all && required.size() < 2) throw new PluginConfigException(r.path("requires_all") + ": at least two providers (one is requires)");
            rules.add(new Rule(m.has("prefix") ? m.requireString("prefix") : null, m.has("path") ? m.requireString("path") : null,
                    List.copyOf(required), all, allowMissing, allowFailed));
        }
        if (rules.isEmpty()) throw new PluginConfigException(c.path("rules") + ": at least one rule (which paths need which provider)");
        return new Settings(List.copyOf(rules));
    }

    @Override
    public void validate(PluginConfig config) throws PluginConfigException {
        settings(config, null);
    }

    @Override
    public ConfiguredHttpFilter create(PluginConfig config, PluginContext context) throws PluginConfigException {
        Settings s = settings(config, context.stats());
        PluginStats.Counter allowed = context.stats().counter("allowed"), denied = context.stats().counter("denied");
        return stream -> new HttpFilter() {
            @Override
            public FilterResult onRequestHeaders(HttpStream st, HttpRequestHead request) {
                Rule rule = null;
                String path = request.path();
                for (Rule r : s.rules()) {
                    if (r.matches(path)) {
                        rule = r;
                        break;
                    }
                }
                if (rule == null || rule.providers().isEmpty()) return FilterResult.proceed();
                if (rule.all()) return all(rule, st, request);
                Provider provider = null;
                Provider.Found found = null;
                Jwt jwt = null;
                try {
                    for (Provider p : rule.providers()) {
                        Provider.Found f = p.find(request);
                        if (f == null) continue;
                        Jwt parsed = Jwt.parse(f.token());
                        // With several providers, the token's issuer says whose it is.
                        if (provider == null || (p.issuer() != null && p.issuer().equals(parsed.claimText("iss")))) {
                            provider = p;
                            found = f;
                            jwt = parsed;
                        }
                    }
                    if (jwt == null) {
                        if (rule.allowMissing()) return allow();
                        return deny(rule, st, request, 401, "Jwt is missing", false);
                    }
                    jwt.checkClaims(provider.issuer(), provider.audiences(), System.currentTimeMillis() / 1000, provider.skewSeconds());
                } catch (Jwt.Refusal r) {
                    return deny(rule, st, request, r.getMessage().startsWith("Audiences") ? 403 : 401, r.getMessage(), true);
                }
                return verify(rule, st, request, List.of(provider), List.of(found), List.of(jwt));
            }

            /**
             * requires_all: every provider finds its own token (all are looked for before any is
             * taken off the request), and each verifies in turn; then the claims go upstream.
             */
            private FilterResult all(Rule rule, HttpStream st, HttpRequestHead request) {
                List<Provider.Found> found = new ArrayList<>();
                List<Jwt> tokens = new ArrayList<>();
                try {
                    for (Provider p : rule.providers()) {
                        Provider.Found f = p.find(request);
                        if (f == null) return deny(rule, st, request, 401, "Jwt is missing", false);
                        Jwt jwt = Jwt.parse(f.token());
                        jwt.checkClaims(p.issuer(), p.audiences(), System.currentTimeMillis() / 1000, p.skewSeconds());
                        found.add(f);
                        tokens.add(jwt);
                    }
                } catch (Jwt.Refusal r) {
                    return deny(rule, st, request, r.getMessage().startsWith("Audiences") ? 403 : 401, r.getMessage(), true);
                }
                return verify(rule, st, request, rule.providers(), found, tokens);
            }

            /** Checks each token's signature with its provider's keys, then lets the request through with their claims, or refuses it. */
            private FilterResult verify(Rule rule, HttpStream st, HttpRequestHead request, List<Provider> providers,
                                        List<Provider.Found> found, List<Jwt> tokens) {
                CompletableFuture<String> refusal = signatures(st, providers, tokens, 0);
                if (!refusal.isDone()) {
                    return FilterResult.async(refusal.thenApply(why -> allowOrDeny(rule, st, request, providers, found, tokens, why)));
                }
                return allowOrDeny(rule, st, request, providers, found, tokens, refusal.join());
            }

            private FilterResult allowOrDeny(Rule rule, HttpStream st, HttpRequestHead request, List<Provider> providers,
                                             List<Provider.Found> found, List<Jwt> tokens, String refusal) {
                if (refusal != null) return deny(rule, st, request, 401, refusal, true);
                for (int i = 0; i < tokens.size(); i++) providers.get(i).apply(request, found.get(i), tokens.get(i));
                return allow();
            }

            /** Completes (on the worker) with null once the tokens from {@code i} on verified, else with the first refusal. */
            private CompletableFuture<String> signatures(HttpStream st, List<Provider> providers, List<Jwt> tokens, int i) {
                if (i == tokens.size()) return CompletableFuture.completedFuture(null);
                Provider p = providers.get(i);
                return signature(st, p, tokens.get(i), p.keys().keys(st, context.nanoTime()).toCompletableFuture(), true,
                        "Jwks remote fetch is failed")
                        .thenCompose(why -> why != null ? CompletableFuture.completedFuture(why) : signatures(st, providers, tokens, i + 1));
            }

            /**
             * Null when {@code jwt}'s signature holds under {@code keys}, else why not ({@code fetchFailed} when they
             * could not be had). A key a cached remote set lacks gets the set fetched again once ({@code mayRefetch}).
             */
            private CompletableFuture<String> signature(HttpStream st, Provider p, Jwt jwt, CompletableFuture<Jwks> keys,
                                                        boolean mayRefetch, String fetchFailed) {
                BiFunction<Jwks, Throwable, CompletableFuture<String>> check = (jwks, failure) -> {
                    if (failure != null) return CompletableFuture.completedFuture(fetchFailed);
                    try {
                        jwt.verify(jwks);
                        return CompletableFuture.completedFuture(null);
                    } catch (Jwt.Refusal r) {
                        if (r.noMatchingKey && mayRefetch && p.keys() instanceof KeySource.Remote remote) {
                            var again = remote.refetch(st, context.nanoTime());
                            if (again != null) return signature(st, p, jwt, again.toCompletableFuture(), false, r.getMessage());
                        }
                        return CompletableFuture.completedFuture(r.getMessage());
                    }
                };
                // Keys not there yet (or a failed fetch) are checked on the worker, where the fetch's answer is handed back.
                var checked = keys.isDone() && !keys.isCompletedExceptionally() ? keys.handle(check) : keys.handleAsync(check, st.worker().executor());
                return checked.thenCompose(Function.identity());
            }

            private FilterResult allow() {
                allowed.inc();
                return FilterResult.proceed();
            }

            /** A refusal, unless the rule lets requests through whatever their token ({@code allow_missing_or_failed}). */
            private FilterResult deny(Rule rule, HttpStream st, HttpRequestHead request, int status, String reason, boolean invalid) {
                if (rule.allowFailed()) return allow();
                denied.inc();
                String challenge = "Bearer realm=\"" + st.scheme() + "://" + request.authority() + request.path() + "\""
                        + (invalid ? ", error=\"invalid_token\"" : "");
                return FilterResult.respond(LocalReply.of(status, reason).withHeader("www-authenticate", challenge));
            }
        };
    }
}
