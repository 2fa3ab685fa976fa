/** The userspace TCP/IP stack. Depends on nothing: frames in, frames out, a clock. */
module yastack.stack {
    exports yastack.stack;
    // Two stacks over memory, for `yastack bench stack`: a harness, not API.
    exports yastack.stack.bench to yastack.server;
}
