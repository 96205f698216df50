-- wrk script of webhook-bench.mjs: POSTs pre-signed check_run deliveries with a unique X-GitHub-Delivery each.
--   wrk ... -s webhook-wrk.lua URL -- <pool file> <delivery id prefix>
-- The pool file holds one delivery per line: "<X-Hub-Signature-256> <JSON body>" (JSON.stringify output has no raw
-- newline). wrk's Lua cannot compute an HMAC, so bodies are signed beforehand; each thread cycles through the pool
-- from its own offset. The summary is printed as one JSON line for the harness.
local pool = {}
local prefix = "wrk"
local counter = 0
local index = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  prefix = args[2] .. "-" .. tostring(id)
  local host = wrk.headers["Host"] or (wrk.host .. ":" .. tostring(wrk.port))
  -- Each request is pre-formatted around its delivery id, so a request costs one concatenation (wrk.format per
  -- request would cost the load generator more CPU than some servers spend answering).
  for line in io.lines(args[1]) do
    local space = line:find(" ", 1, true)
    local body = line:sub(space + 1)
    pool[#pool + 1] = {
      head = "POST " .. wrk.path .. " HTTP/1.1\r\nHost: " .. host .. "\r\ncontent-type: application/json\r\n"
        .. "x-github-event: check_run\r\nx-hub-signature-256: " .. line:sub(1, space - 1) .. "\r\n"
        .. "content-length: " .. tostring(#body) .. "\r\nx-github-delivery: ",
      tail = "\r\n\r\n" .. body,
    }
  end
  index = (id * 7919) % #pool
end

function request()
  counter = counter + 1
  index = index % #pool + 1
  local item = pool[index]
  return item.head .. prefix .. "-" .. counter .. item.tail
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"non_2xx":%d,"errors":%d,"timeouts":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
