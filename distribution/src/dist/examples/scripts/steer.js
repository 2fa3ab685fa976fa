// RSS steering for the userspace stack: stack.rss.steering: {script: steer.js}
// Called once per new flow; the flow keeps its worker until it closes.
/// <reference path="../../types/yastack.d.ts" />

const CONTROL_PORTS = new Set([22, 179]);   // SSH, BGP

/** @param {Flow} flow @param {Workers} workers @returns {number} */
export function steer(flow, workers) {
  const live = workers.live;
  // Keep control-plane traffic on the first live worker, away from bulk data.
  if (CONTROL_PORTS.has(flow.dstPort) || CONTROL_PORTS.has(flow.srcPort)) return live[0];
  // Everything else: spread by the symmetric flow hash over the live workers.
  return live[flow.hash % live.length];
}
