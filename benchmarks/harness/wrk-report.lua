-- wrk script for the load harness.
--   wrk ... -s wrk-report.lua URL             closed loop, as fast as the connections go
--   wrk ... -s wrk-report.lua URL -- RATE     paced: at most RATE requests/s in total (one wrk thread),
--                                             each request given the next slot of a fixed schedule
-- done() prints one machine-readable line, HARNESS_RESULT key=value ..., latencies in microseconds,
-- including p99.9 (wrk --latency prints only 50/75/90/99).
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } harness_timespec;
  int clock_gettime(int clk_id, harness_timespec *tp);
]]
local ts = ffi.new("harness_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local interval_ms = nil
local next_slot = nil

function init(args)
  local rate = tonumber(args[1] or "")
  if rate and rate > 0 then
    interval_ms = 1000 / rate
  end
end

function delay()
  if not interval_ms then
    return 0
  end
  local t = now_ms()
  if not next_slot or next_slot < t - 1000 then
    next_slot = t -- first request, or more than a second behind: do not burst to catch up
  end
  local wait = next_slot - t
  next_slot = next_slot + interval_ms
  if wait <= 0 then
    return 0
  end
  return math.floor(wait)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "HARNESS_RESULT requests=%d duration_us=%d bytes=%d connect_errors=%d read_errors=%d " ..
    "write_errors=%d status_errors=%d timeouts=%d p50_us=%d p75_us=%d p90_us=%d p99_us=%d " ..
    "p999_us=%d mean_us=%.1f max_us=%d\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.mean, latency.max))
end
