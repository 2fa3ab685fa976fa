/** Built-in HTTP filter {@code jwt_authn}. */
module yastack.plugin.jwtauthn {
    requires yastack.api;
    requires com.google.gson;

    provides yastack.api.HttpFilterFactory with yastack.plugin.jwtauthn.JwtAuthnFilterFactory;
}
