/** Built-in HTTP filter {@code fault}. */
module yastack.plugin.fault {
    requires yastack.api;

    provides yastack.api.HttpFilterFactory with yastack.plugin.fault.FaultFilterFactory;
}
