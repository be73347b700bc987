-- batch.lua - wrk: POST /api/v1/events with 100 events per request, a
-- JSON array (see events.lua). Usage: wrk -s bench/ingest/batch.lua ...
local ev = dofile("bench/ingest/events.lua")
local PER = 100
function setup(thread) ev.setup(thread) end
function init(args) ev.init(PER, tid) end
function request() return ev.request() end
function done(summary, latency, requests) ev.done(summary, latency, PER) end
