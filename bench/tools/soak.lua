-- wrk script for bench/soak.sh: paces each connection (SOAK_DELAY_MS between
-- a response and the next request, so the offered load stays near the target
-- instead of saturating the proxy) and prints wrk's summary as one JSON line
-- prefixed with SOAKJSON, including how many answers had each status class.
local delay_ms = tonumber(os.getenv("SOAK_DELAY_MS") or "0")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  s2, s5, sother = 0, 0, 0
end

function delay()
  return delay_ms
end

function response(status, headers, body)
  if status >= 200 and status < 300 then s2 = s2 + 1
  elseif status >= 500 then s5 = s5 + 1
  else sother = sother + 1 end
end

function done(summary, latency, requests)
  local t2, t5, to = 0, 0, 0
  for _, t in ipairs(threads) do
    t2 = t2 + t:get("s2"); t5 = t5 + t:get("s5"); to = to + t:get("sother")
  end
  local e = summary.errors
  io.write(string.format(
    'SOAKJSON {"requests":%d,"duration_us":%d,"status_2xx":%d,"status_5xx":%d,"status_other":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"latency_us":{"p50":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, t2, t5, to, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
