-- wrk script: GET a random path from a URL-list file (one site-relative path per line),
-- like ../shared/bench/wrk_random_urls.lua, with p90/p95 in the RESULT line.
-- usage: wrk -t2 -c2 -d15s --latency -s wrk_percentiles.lua http://127.0.0.1:PORT -- LIST_FILE
local threads, counter, paths = {}, 0, {}

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  math.randomseed(os.time() * 1000 + id)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT rps=%.1f p50_ms=%.2f p90_ms=%.2f p95_ms=%.2f p99_ms=%.2f max_ms=%.2f "
      .. "requests=%d avg_bytes=%d non2xx=%d sockerr=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.requests,
    math.floor(summary.bytes / math.max(summary.requests, 1)), e.status,
    e.connect + e.read + e.write + e.timeout))
end
