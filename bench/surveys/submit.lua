-- submit.lua - one durable response per request (POST /api/v1/responses),
-- a unique id per request, naming one of CUSTOMERS customers.
local key = os.getenv("CXM_KEY")
local customers = tonumber(os.getenv("CUSTOMERS") or "100000")
local tag = os.getenv("BENCH_TAG") or "b"
local counter = 0
local tid = 0
local threads = 0
setup = function(thread)
	threads = threads + 1
	thread:set("tid", threads)
end
init = function()
	tid = wrk.thread:get("tid") or 0
end
request = function()
	counter = counter + 1
	local c = math.random(customers)
	local score = math.random(0, 10)
	local body = string.format('{"id":"%s-%d-%d","external_id":"C%07d","channel":"phone","touchpoint":"ivr_after_call",'
		.. '"ts":"2026-03-01T10:15:00Z","language":"es","answers":{"nps":%d}}', tag, tid, counter, c, score)
	return wrk.format("POST", "/api/v1/responses",
		{ ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }, body)
end
