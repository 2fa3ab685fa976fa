// The gateway's request policy, shipped in the same ConfigMap as the config: edit it with
// `kubectl edit configmap yastack-config` and every pod runs the new version within
// seconds. A version that does not compile is logged and the last good one keeps serving.
//   listeners[].http.filters: [{script: policy.js, config: {blocked_prefix: /internal/}}]

/** @param {Request} req @param {FilterContext} ctx */
export function onRequest(req, ctx) {
  if (req.path.startsWith(ctx.config.blocked_prefix || '/internal/')) {
    ctx.counter('blocked').inc();                      // admin /stats: script.policy.blocked
    return {status: 403, body: 'forbidden\n', headers: {'content-type': 'text/plain'}};
  }
}

/** @param {Response} res @param {FilterContext} ctx */
export function onResponse(res, ctx) {
  res.headers['x-gateway'] = 'yastack';
}
