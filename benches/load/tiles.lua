-- wrk script: cycles through the tile paths in $TILES_FILE (one per line),
-- counts non-2xx/304 answers, and prints latency percentiles as one line.
local paths = {}
local counter = 0
local bad = 0

function init(args)
  for line in io.lines(os.getenv("TILES_FILE")) do
    paths[#paths + 1] = line
  end
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

function response(status, headers, body)
  if status ~= 200 and status ~= 204 and status ~= 304 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format("result: requests=%d errors=%d connect=%d read=%d write=%d timeout=%d status=%d rps=%.0f p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status,
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99), latency.max))
end
