package yastack.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import yastack.api.config.Bootstrap;
import yastack.api.config.ComparisonOp;

/** Access logs (one or a list, formats, filters) and tracing settings: what is read, and what is refused with its line. */
class ObservabilityConfigTest extends ConfigErrorAssertions {
    private static final String ROUTES = """
                  route_config: {virtual_hosts: [{name: all, domains: ["*"], routes: [{route: {cluster: c}}]}]}
            clusters: [{name: c, endpoints: [{address: 127.0.0.1, port: 1}]}]
            """;

    @Test
    void oneAccessLogOrAList() throws ConfigException {
        Bootstrap one = ConfigLoader.parse("""
                access_log: {path: /tmp/all.log}
                listeners:
                  - name: web
                    port: 80
                    http:
                      access_log: {path: stdout, format: "%RESPONSE_CODE%"}
                """ + ROUTES, dir).bootstrap();
        assertEquals("/tmp/all.log", one.getAccessLog(0).getPath());
        assertEquals("%RESPONSE_CODE%", one.getListeners(0).getHttp().getAccessLog(0).getFormat());
        Bootstrap list = ConfigLoader.parse("""
                listeners:
                  - name: web
                    port: 80
                    http:
                      access_log:
                        - {path: /tmp/a.log}
                        - path: /tmp/errors.log
                          log_format: {json_format: {status: "%RESPONSE_CODE%", upstream: {host: "%UPSTREAM_HOST%"}}}
                          filter: {status_code_filter: {op: ge, value: 500}, runtime_filter: {percent_sampled: 12.5}}
                      tracing:
                        endpoint: http://127.0.0.1:4318/v1/traces
                        service_name: edge
                        sampling: {ratio: 0.25, always_sample_errors: true}
                """ + ROUTES, dir).bootstrap();
        var http = list.getListeners(0).getHttp();
        assertEquals(2, http.getAccessLogCount());
        assertEquals(ComparisonOp.GE, http.getAccessLog(1).getFilter().getStatusCodeFilter().getOp());
        assertEquals(12.5, http.getAccessLog(1).getFilter().getRuntimeFilter().getPercentSampled());
        assertTrue(http.getAccessLog(1).getLogFormat().getJsonFormat().containsFields("upstream"));
        assertEquals(0.25, http.getTracing().getSampling().getRatio());
        assertEquals("edge", http.getTracing().getServiceName());
    }

    @Test
    void badAccessLogsNameFieldAndLine() {
        List<ConfigError> es = errors("""
                listeners:
                  - name: web
                    port: 80
                    http:
                      access_log:
                        - {path: /tmp/a.log, format: "%A%", log_format: {text_format: "%B%"}}
                        - path: /tmp/b.log
                          log_format: {}
                        - path: /tmp/c.log
                          filter:
                            status_code_filter: {op: ge, value: 700}
                            runtime_filter: {percent_sampled: 101}
                            response_flag_filter: {flags: [UF, NOPE]}
                """ + ROUTES);
        String p = "listeners[0].http.access_log";
        assertEquals(5, es.size(), es::toString);
        assertError(es.get(0), p + "[0]", 6, "has format and log_format; give at most one");
        assertError(es.get(1), p + "[1].log_format", 8, "needs one of text_format or json_format");
        assertError(es.get(2), p + "[2].filter.status_code_filter.value", 11, "must be 0..599, got 700");
        assertError(es.get(3), p + "[2].filter.runtime_filter.percent_sampled", 12, "must be 0..100");
        assertError(es.get(4), p + "[2].filter.response_flag_filter.flags[1]", 13, "unknown response flag 'NOPE'");
        assertError(single("""
                listeners:
                  - name: web
                    port: 80
                    http:
                      access_log: {path: /tmp/d.log, filter: {status_code_filter: {op: gt, value: 1}}}
                """ + ROUTES), p + "[0].filter.status_code_filter.op", 5, "unknown value 'gt'; expected one of eq, ge, le, ne");
    }

    @Test
    void badTracingNamesFieldAndLine() {
        List<ConfigError> es = errors("""
                listeners:
                  - name: web
                    port: 80
                    http:
                      tracing:
                        endpoint: "ftp://collector/v1/traces"
                        max_queued_spans: 0
                        export_timeout: 0s
                        sampling: {ratio: 1.5, force_headers: ["bad header"]}
                """ + ROUTES);
        String p = "listeners[0].http.tracing";
        assertEquals(5, es.size(), es::toString);
        assertError(es.get(0), p + ".endpoint", 6, "must be an http:// or https:// URL");
        assertError(es.get(1), p + ".max_queued_spans", 7, "must be 1..1000000");
        assertError(es.get(2), p + ".export_timeout", 8, "must be greater than 0");
        assertError(es.get(3), p + ".sampling.ratio", 9, "must be 0..1, got 1.5");
        assertError(es.get(4), p + ".sampling.force_headers[0]", 9, "not a valid header name");
    }
}
