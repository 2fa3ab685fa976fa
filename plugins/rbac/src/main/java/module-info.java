/** Built-in HTTP filter {@code rbac}. */
module yastack.plugin.rbac {
    requires yastack.api;

    provides yastack.api.HttpFilterFactory with yastack.plugin.rbac.RbacFilterFactory;
}
