// The quickstart's script filter. Edit this file while `yastack quickstart` runs and curl
// again: the proxy reloads it at once. An edit that does not compile is logged and the last
// good version keeps serving.
//   listeners[].http.filters: [{script: ../scripts/filters/greeting.js, config: {path: /js}}]
/// <reference path="../../../types/yastack.d.ts" />

const GREETING = 'hello from JavaScript';

/** @param {Request} req @param {FilterContext} ctx */
export function onRequest(req, ctx) {
  if (req.path !== (ctx.config.path || '/js')) return;     // everything else goes on to the routes
  ctx.counter('greetings').inc();                            // admin /stats: script.greeting.greetings
  return {status: 200, body: GREETING + '\n', headers: {'content-type': 'text/plain'}};
}

/** @param {Response} res @param {FilterContext} ctx */
export function onResponse(res, ctx) {
  res.headers['x-script'] = 'greeting.js';
}
