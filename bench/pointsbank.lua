-- wrk script for bench/compare.py: one file, one mode per phase.
--   wrk ... -s bench/pointsbank.lua URL -- MODE DATA_FILE THREADS PHASE OCCURRED_AT BATCH_SIZE
-- Modes:
--   event      POST /v1/events; DATA_FILE lines are "community member"
--   event-key  the same with an Idempotency-Key on every request
--   batch      POST /v1/events/batch of BATCH_SIZE events; counts the events awarded
--   get        GET of the paths in DATA_FILE, in turn
--   redeem     POST /v1/redemptions by one-time code; DATA_FILE lines are "member code", each
--              used once: every thread takes its own share, and a thread that runs out reuses
--              its last code (those answers are refusals, counted as non-2xx and as "exhausted")
-- Every event carries a source_id made of PHASE, the thread's number and a counter, so no two
-- requests of a run (any phase) name the same event. done() prints one "BENCH_RESULT" line.

local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

local mode, phase, occurred, batch_size
local rows = {}
local counter, next_row = 0, 0
non2xx, events, exhausted, first_error = 0, 0, 0, ""

local function split(line)
   local fields = {}
   for field in line:gmatch("%S+") do
      table.insert(fields, field)
   end
   return fields
end

function init(args)
   mode, phase, occurred = args[1], args[4], args[5]
   batch_size = tonumber(args[6] or "1")
   local nthreads = tonumber(args[3])
   local index = 0
   for line in io.lines(args[2]) do
      -- One-time codes are split between threads; everything else is shared, each thread
      -- starting at its own offset.
      if mode ~= "redeem" or index % nthreads == tid then
         table.insert(rows, split(line))
      end
      index = index + 1
   end
   next_row = (mode == "redeem") and 0 or (tid * 97) % #rows
   wrk.headers["Content-Type"] = "application/json"
end

local function take()
   local row = rows[(next_row % #rows) + 1]
   next_row = next_row + 1
   return row
end

local function event_json()
   local row = take()
   counter = counter + 1
   local source_id = string.format("%s-%d-%d", phase, tid, counter)
   return string.format(
      '{"community":"%s","activity":"bench.join","member":"%s","occurred_at":"%s",'
         .. '"source_id":"%s","recorded_by":"bench"}',
      row[1], row[2], occurred, source_id), source_id
end

function request()
   if mode == "get" then
      return wrk.format("GET", take()[1])
   elseif mode == "event" then
      return wrk.format("POST", "/v1/events", nil, (event_json()))
   elseif mode == "event-key" then
      local body, source_id = event_json()
      -- Headers given to wrk.format replace wrk.headers (Authorization, Content-Type): copy them.
      local headers = { ["Idempotency-Key"] = source_id }
      for name, value in pairs(wrk.headers) do
         headers[name] = value
      end
      return wrk.format("POST", "/v1/events", headers, body)
   elseif mode == "batch" then
      local parts = {}
      for i = 1, batch_size do
         parts[i] = (event_json())
      end
      return wrk.format("POST", "/v1/events/batch", nil,
         '{"events":[' .. table.concat(parts, ",") .. ']}')
   elseif mode == "redeem" then
      if next_row >= #rows then
         exhausted = exhausted + 1
         next_row = #rows - 1
      end
      local row = take()
      return wrk.format("POST", "/v1/redemptions", nil, string.format(
         '{"member":"%s","consent":{"code":"%s"},"lines":[{"sku":"seeds","quantity":1}]}',
         row[1], row[2]))
   end
   error("unknown mode " .. tostring(mode))
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      if first_error == "" then
         first_error = status .. " " .. (body or ""):sub(1, 300):gsub("%s+", " ")
      end
   elseif mode == "batch" then
      events = events + (tonumber(body:match('"awarded":%s*(%d+)')) or 0)
   else
      events = events + 1
   end
end

function done(summary, latency, requests)
   local totals = { non2xx = 0, events = 0, exhausted = 0 }
   local sample = ""
   for _, thread in ipairs(threads) do
      for name, _ in pairs(totals) do
         totals[name] = totals[name] + thread:get(name)
      end
      if sample == "" then
         sample = thread:get("first_error")
      end
   end
   local errors = summary.errors
   io.write(string.format(
      "BENCH_RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d events=%d "
         .. "exhausted=%d socket_errors=%d\n",
      summary.requests, summary.duration,
      math.floor(latency:percentile(50)), math.floor(latency:percentile(99)),
      totals.non2xx, totals.events, totals.exhausted,
      errors.connect + errors.read + errors.write + errors.timeout))
   if sample ~= "" then
      io.write("BENCH_ERROR " .. sample .. "\n")
   end
end
