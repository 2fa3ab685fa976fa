// HTTP filter with an external check:
//   listeners[].http.filters: [{script: filters/auth.js,
//                               config: {auth_cluster: auth, public_paths: ["/", "/health"]}}]
/// <reference path="../../../types/yastack.d.ts" />

/** @param {Request} req @param {FilterContext} ctx */
export async function onRequest(req, ctx) {
  if ((ctx.config.public_paths || []).includes(req.path)) return;

  const token = req.headers['authorization'];
  if (!token) {
    ctx.counter('missing_token').inc();
    return {status: 401, body: 'token required\n', headers: {'www-authenticate': 'Bearer'}};
  }

  // Ask the auth service (a cluster in the config); the worker serves other requests meanwhile.
  const r = await ctx.httpCall(ctx.config.auth_cluster || 'auth', {
    method: 'POST', path: '/verify', headers: {authorization: token}, timeoutMs: 200,
  });
  if (r.status !== 200) {
    ctx.counter('denied').inc();
    return {status: 403, body: 'forbidden\n'};
  }
  ctx.user = r.headers['x-user'] || 'unknown';
  req.headers['x-user'] = ctx.user;
  delete req.headers['authorization'];          // the upstream never sees the token
}

/** @param {Response} res @param {FilterContext} ctx */
export function onResponse(res, ctx) {
  if (ctx.user) res.headers['x-served-for'] = ctx.user;
}
