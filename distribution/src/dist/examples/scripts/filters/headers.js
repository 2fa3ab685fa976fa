// HTTP filter changing headers in both directions:
//   listeners[].http.filters: [{script: filters/headers.js, config: {hide: ["server", "x-powered-by"]}}]
/// <reference path="../../../types/yastack.d.ts" />

/** @param {Request} req @param {FilterContext} ctx */
export function onRequest(req, ctx) {
  req.headers['x-forwarded-for'] = req.headers['x-forwarded-for']
      ? req.headers['x-forwarded-for'] + ', ' + req.remoteAddress
      : req.remoteAddress;
  req.headers['x-request-id'] = req.headers['x-request-id'] || String(req.streamId);
  ctx.requestId = req.headers['x-request-id'];
}

/** @param {Response} res @param {FilterContext} ctx */
export function onResponse(res, ctx) {
  for (const name of ctx.config.hide || []) delete res.headers[name];
  res.headers['x-request-id'] = ctx.requestId;
  if (res.status >= 500) ctx.counter('upstream_5xx').inc();
}
