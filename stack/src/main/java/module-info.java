/** The userspace TCP/IP stack. Depends on nothing: frames in, frames out, a clock. */
module yastack.stack {
    exports yastack.stack;
    exports yastack.stack.bench;
}
