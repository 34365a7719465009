-- wrk script for `greenbert serve`: POST /v1/classify with one abstract per request, cycling
-- through a file of request bodies (one JSON per line), and counting answers by status.
--   wrk -t2 -c32 -d20s --latency -s classify.lua http://127.0.0.1:8080 -- bodies.jsonl
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  next_body = (id * 7919) % #bodies  -- threads start at different abstracts
  statuses = {}
end

function request()
  next_body = next_body % #bodies + 1
  return wrk.format("POST", "/v1/classify", {["Content-Type"] = "application/json"},
                    bodies[next_body])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  local line = "statuses:"
  for status, count in pairs(total) do line = line .. " " .. status .. "=" .. count end
  print(line)
  print(string.format("answered_200/s: %.1f", (total[200] or 0) / (summary.duration / 1e6)))
  print(string.format("requests/s: %.1f  p50_ms: %.3f  p90_ms: %.3f  p99_ms: %.3f",
                      summary.requests / (summary.duration / 1e6),
                      latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
                      latency:percentile(99) / 1e3))
end
