-- wrk script for the overload run (RELIABILITY D5): like tiles.lua, cycles
-- through $TILES_FILE, and counts answers per status (a response() callback
-- slows wrk, which does not matter when the server is meant to refuse).
local requests = {}
local counter = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  for line in io.lines(os.getenv("TILES_FILE")) do
    requests[#requests + 1] = wrk.format("GET", line)
  end
end

function request()
  counter = counter % #requests + 1
  return requests[counter]
end

function response(status, headers, body)
  local key = tostring(status)
  if status == 503 and headers["retry-after"] == nil and headers["Retry-After"] == nil then
    key = "503-without-retry-after"
  end
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    parts[#parts + 1] = status .. ":" .. n
  end
  io.write(string.format("result: requests=%d connect=%d read=%d write=%d timeout=%d rps=%.0f p50_us=%d p99_us=%d max_us=%d statuses=%s\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99), latency.max, table.concat(parts, ",")))
end
