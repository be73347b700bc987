-- single.lua - wrk: POST /api/v1/events with one event per request, a
-- JSON object (see events.lua). Usage: wrk -s bench/ingest/single.lua ...
local ev = dofile("bench/ingest/events.lua")
local PER = 1
function setup(thread) ev.setup(thread) end
function init(args) ev.init(PER, tid) end
function request() return ev.request() end
function done(summary, latency, requests) ev.done(summary, latency, PER) end
