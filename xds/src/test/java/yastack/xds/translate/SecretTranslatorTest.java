package yastack.xds.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static yastack.xds.translate.Refusals.refused;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SDS secrets and the listeners that name them. */
class SecretTranslatorTest {
    static final String CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    static final String KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
    static final ConfigSource ADS = ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();

    @Test
    void aCertificateSecretBecomesInlinePemOrAFile() throws Rejection {
        SecretResource inline = SecretTranslator.translate(Secret.newBuilder().setName("c").setTlsCertificate(TlsCertificate.newBuilder()
                .setCertificateChain(DataSource.newBuilder().setInlineString(CERT))
                .setPrivateKey(DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8(KEY)))).build());
        assertEquals(CERT, inline.certificate().getCertPem());
        assertEquals(KEY, inline.certificate().getKeyPem());
        assertNull(inline.caPem());
        SecretResource files = SecretTranslator.translate(Secret.newBuilder().setName("c").setTlsCertificate(TlsCertificate.newBuilder()
                .setCertificateChain(DataSource.newBuilder().setFilename("/etc/c.pem"))
                .setPrivateKey(DataSource.newBuilder().setFilename("/etc/c.key"))).build());
        assertEquals("/etc/c.pem", files.certificate().getCert());
        assertEquals("/etc/c.key", files.certificate().getKey());
        SecretResource ca = SecretTranslator.translate(Secret.newBuilder().setName("ca").setValidationContext(
                CertificateValidationContext.newBuilder().setTrustedCa(DataSource.newBuilder().setInlineString(CERT))).build());
        assertEquals(CERT, ca.caPem());
        assertNull(ca.certificate());
    }

    @Test
    void refusalsNameTheField() {
        refused("tls_certificate.private_key: is required", () -> SecretTranslator.translate(Secret.newBuilder().setName("c")
                .setTlsCertificate(TlsCertificate.newBuilder().setCertificateChain(DataSource.newBuilder().setInlineString(CERT))).build()));
        refused("tls_certificate.certificate_chain: is not PEM text (no -----BEGIN line)", () -> SecretTranslator.translate(
                Secret.newBuilder().setName("c").setTlsCertificate(TlsCertificate.newBuilder()
                        .setCertificateChain(DataSource.newBuilder().setInlineString("junk"))
                        .setPrivateKey(DataSource.newBuilder().setInlineString(KEY))).build()));
        refused("needs a tls_certificate or a validation_context", () -> SecretTranslator.translate(Secret.newBuilder().setName("c").build()));
    }

    private static Listener tlsListener(CommonTlsContext ctx) {
        DownstreamTlsContext tls = DownstreamTlsContext.newBuilder().setCommonTlsContext(ctx).build();
        return Listener.newBuilder().setName("web").setAddress(Refusals.address("0.0.0.0", 8443))
                .addFilterChains(FilterChain.newBuilder().addFilters(ListenerTranslatorTest.hcm("routes"))
                        .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls").setTypedConfig(Any.pack(tls))))
                .build();
    }

    @Test
    void aListenerRecordsTheSecretsItWaitsFor() throws Rejection {
        InlineScripts scripts = InlineScripts.temporary();
        try {
            ListenerTranslator t = new ListenerTranslator(scripts);
            ListenerResource r = t.translate(tlsListener(CommonTlsContext.newBuilder()
                    .addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder().setName("edge").setSdsConfig(ADS))
                    .setValidationContextSdsSecretConfig(SdsSecretConfig.newBuilder().setName("clients").setSdsConfig(ADS)).build()));
            assertEquals(List.of("edge"), r.secrets().certificates());
            assertEquals("clients", r.secrets().clientCa());
            assertEquals(0, r.listener().getTls().getCertificatesCount(), "the certificate comes with the secret");
            refused("filter_chains[0].transport_socket.typed_config.common_tls_context.tls_certificate_sds_secret_configs[0].sds_config: "
                    + "only ads is supported (the secret comes over the ADS stream)", () -> t.translate(tlsListener(CommonTlsContext.newBuilder()
                    .addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder().setName("edge")).build())));
            refused("filter_chains[0].transport_socket.typed_config.common_tls_context: needs tls_certificates or tls_certificate_sds_secret_configs",
                    () -> t.translate(tlsListener(CommonTlsContext.getDefaultInstance())));
        } finally {
            scripts.close();
        }
    }
}
