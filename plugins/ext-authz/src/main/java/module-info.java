/** Built-in HTTP filter {@code ext_authz}. */
module yastack.plugin.extauthz {
    requires yastack.api;

    provides yastack.api.HttpFilterFactory with yastack.plugin.extauthz.ExtAuthzFilterFactory;
}
