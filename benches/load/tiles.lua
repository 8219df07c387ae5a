-- wrk script: cycles through the tile paths in $TILES_FILE (one per line) and
-- prints latency percentiles as one line. Answers other than 2xx/3xx count as
-- errors (wrk's own status count: a Lua response() callback would slow wrk
-- itself to some 23,000 requests a second on two cores, below what it measures).
local requests = {}
local counter = 0

function init(args)
  for line in io.lines(os.getenv("TILES_FILE")) do
    requests[#requests + 1] = wrk.format("GET", line)
  end
end

function request()
  counter = counter % #requests + 1
  return requests[counter]
end

function done(summary, latency, requests)
  io.write(string.format("result: requests=%d errors=%d connect=%d read=%d write=%d timeout=%d status=%d rps=%.0f p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status,
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99), latency.max))
end
