-- submit.lua - durable responses (POST /api/v1/responses): PER responses a
-- request (default 1: one JSON object; more: a JSON array), each with a
-- unique id, naming one of CUSTOMERS customers, arriving the way live
-- responses do: all on one day (2026-03-01, any hour), spread over
-- channels and touchpoints; DAYS=28 spreads them over March instead (the
-- worst case for the rollups: every response on rows of its own day).
-- Environment: CXM_KEY, CUSTOMERS, BENCH_TAG (a prefix unique to one wrk
-- run), PER, DAYS.
local key = os.getenv("CXM_KEY")
local customers = tonumber(os.getenv("CUSTOMERS") or "100000")
local tag = os.getenv("BENCH_TAG") or "b"
local per = tonumber(os.getenv("PER") or "1")
local days = tonumber(os.getenv("DAYS") or "1")
local channels = { "phone", "email", "web", "app", "store", "chat", "whatsapp" }
local touchpoints = { "ivr_after_call", "post_delivery", "checkout", "store_visit", "help_widget" }
local counter = 0
local tid = 0
local threads = 0
setup = function(thread)
	threads = threads + 1
	thread:set("tid", threads)
end
init = function()
	tid = wrk.thread:get("tid") or 0
	math.randomseed(tid * 7919)
end
local function item(k)
	return string.format('{"id":"%s-%d-%d-%d","external_id":"C%07d","channel":"%s","touchpoint":"%s",'
		.. '"ts":"2026-03-%02dT%02d:%02d:00Z","language":"es","answers":{"nps":%d}}', tag, tid, counter, k,
		math.random(customers), channels[math.random(#channels)], touchpoints[math.random(#touchpoints)],
		math.random(1, days), math.random(0, 23), math.random(0, 59), math.random(0, 10))
end
request = function()
	counter = counter + 1
	local body
	if per == 1 then
		body = item(1)
	else
		local items = {}
		for k = 1, per do
			items[k] = item(k)
		end
		body = "[" .. table.concat(items, ",") .. "]"
	end
	return wrk.format("POST", "/api/v1/responses",
		{ ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }, body)
end
