// Router: listeners[].http.router: {script: routes/route.js}
// Edit and save: the new version serves within a second, no restart.
/// <reference path="../../../types/yastack.d.ts" />
import {under, bucket} from '../lib/match.js';

const CANARY_PERCENT = 10;

/** @param {Request} req @param {ScriptContext} ctx @returns {RouteResult} */
export function route(req, ctx) {
  if (under(req.path, '/admin')) {
    if (req.remoteAddress !== '127.0.0.1') {
      ctx.counter('admin_denied').inc();
      return {status: 403, body: 'admin is local only\n'};
    }
    return {cluster: 'admin', routeName: 'admin'};
  }

  if (under(req.path, '/api')) {
    // Opt-in by cookie, then a stable percentage of users by id.
    const user = req.headers['x-user-id'] || req.cookies.session || req.remoteAddress;
    const canary = req.cookies.canary === '1' || bucket(user) < CANARY_PERCENT;
    return {
      cluster: canary ? 'api-canary' : 'api',
      prefixRewrite: '/',                       // /api/users -> /users
      headers: {'x-canary': canary ? '1' : '0'},
      routeName: canary ? 'api-canary' : 'api',
    };
  }

  if (req.path === '/old-home') {
    return {status: 301, headers: {location: '/'}};
  }

  return {cluster: 'web'};
}
