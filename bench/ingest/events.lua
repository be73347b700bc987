-- events.lua - what batch.lua and single.lua share: realistic events of
-- about 300 bytes for POST /api/v1/events, built so that every event id is
-- unique across wrk's threads and requests (tag, thread, counter, index)
-- and names a customer by an external_id of the bench's customer set.
-- Environment: CXM_KEY (bearer key), BENCH_TAG (a prefix unique to one
-- wrk run), CUSTOMERS (how many customers C0000001... exist).
-- Each thread builds a few bodies once, cut at the id and customer of
-- each event; a request only fills in those two slots, so wrk spends its
-- CPU sending, not formatting.

local key = os.getenv("CXM_KEY") or ""
local tag = os.getenv("BENCH_TAG") or "x"
local ncust = tonumber(os.getenv("CUSTOMERS") or "100000")
local templates = 16
local ev = {}

-- the parts of one event around its two slots: id .. "-NN", external_id
local function event_parts(k)
	local day = math.random(1, 28)
	local ts = string.format("2026-03-%02dT%02d:%02d:%02dZ", day, math.random(0, 23), math.random(0, 59), math.random(0, 59))
	local r = math.random(1, 8)
	local rest
	if r <= 3 then
		local ch = ({ "web", "app", "web" })[r]
		local pages = { "home", "product_page", "checkout", "help_center", "offers" }
		local tp = pages[math.random(#pages)]
		rest = string.format('"type":"page_view","channel":"%s","ts":"%s","touchpoint":"%s",' ..
			'"properties":{"url":"/%s/item-%d?ref=home","referrer":"https://www.instagram.com/","session_id":"s-%08x",' ..
			'"device":"%s","utm_campaign":"spring_sale"}}',
			ch, ts, tp, tp, math.random(1, 5000), math.random(0, 0x7fffffff),
			({ "mobile", "desktop", "tablet" })[math.random(3)])
	elseif r == 4 then
		rest = string.format('"type":"purchase","channel":"%s","ts":"%s","touchpoint":"checkout",' ..
			'"amount":"%d.%02d","currency":"COP","properties":{"sku":"SKU-%d","quantity":%d,' ..
			'"store_id":"BOG-%03d","payment":"%s","coupon":"SPRING10"}}',
			math.random() < 0.5 and "web" or "store", ts, math.random(20000, 920000), math.random(0, 99),
			math.random(1, 500), math.random(1, 4), math.random(1, 60),
			({ "card", "cash", "pse", "nequi" })[math.random(4)])
	elseif r == 5 then
		rest = string.format('"type":"call","channel":"phone","ts":"%s","touchpoint":"help_line","agent":"agent%d",' ..
			'"properties":{"queue":"%s","duration_s":%d,"wait_s":%d,"resolved":%s,"reason":"invoice_question"}}',
			ts, math.random(1, 40), ({ "billing", "returns", "sales" })[math.random(3)],
			math.random(30, 900), math.random(0, 300), math.random() < 0.7 and "true" or "false")
	elseif r == 6 then
		rest = string.format('"type":"email_open","channel":"email","ts":"%s","touchpoint":"newsletter",' ..
			'"properties":{"campaign":"march_newsletter","message_id":"m-%08x%08x","client":"%s",' ..
			'"subject_variant":"%s","list":"customers-es"}}',
			ts, math.random(0, 0x7fffffff), math.random(0, 0x7fffffff),
			({ "gmail", "outlook", "apple_mail" })[math.random(3)], math.random() < 0.5 and "A" or "B")
	elseif r == 7 then
		rest = string.format('"type":"delivery","channel":"store","ts":"%s","touchpoint":"shipping_notice",' ..
			'"properties":{"order_id":"o-%09d","carrier":"servientrega","days_late":%d,' ..
			'"city":"Bogotá","status":"delivered"}}',
			ts, math.random(1, 999999999), math.random(0, 3))
	else
		rest = string.format('"type":"chat","channel":"chat","ts":"%s","touchpoint":"help_widget",' ..
			'"properties":{"conversation_id":"c-%08x","messages":%d,"bot_handoff":%s,' ..
			'"topic":"where_is_my_order","language":"es"}}',
			ts, math.random(0, 0x7fffffff), math.random(2, 30), math.random() < 0.3 and "true" or "false")
	end
	return string.format('{"id":"'), string.format('-%02d","external_id":"', k), '",' .. rest
end

-- ev.init(per, tid): builds this thread's bodies of `per` events each.
-- A body is a list of pieces; slot positions hold the request id
-- (every event) and a customer (every event).
function ev.init(per, tid)
	math.randomseed(tid * 7919 + #tag * 31 + string.byte(tag, 1))
	ev.per, ev.tid, ev.n = per, tid, 0
	ev.customers = {}
	for i = 1, ncust do
		ev.customers[i] = string.format("C%07d", i)
	end
	ev.bodies = {}
	for t = 1, templates do
		local pieces, idslots, cslots = {}, {}, {}
		if per > 1 then pieces[#pieces + 1] = "[" end
		for k = 1, per do
			local a, b, c = event_parts(k)
			if k > 1 then a = "," .. a end
			pieces[#pieces + 1] = a
			pieces[#pieces + 1] = ""; idslots[#idslots + 1] = #pieces
			pieces[#pieces + 1] = b
			pieces[#pieces + 1] = ""; cslots[#cslots + 1] = #pieces
			pieces[#pieces + 1] = c
		end
		if per > 1 then pieces[#pieces + 1] = "]" end
		ev.bodies[t] = { pieces = pieces, ids = idslots, custs = cslots }
	end
	ev.headers = {
		["Authorization"] = "Bearer " .. key,
		["Content-Type"] = "application/json",
	}
end

-- the next request: a new id prefix, fresh random customers
function ev.request()
	ev.n = ev.n + 1
	local b = ev.bodies[1 + ev.n % templates]
	local p = b.pieces
	local rid = string.format("%s%d-%09d", tag, ev.tid, ev.n)
	local cs = ev.customers
	for i = 1, #b.ids do
		p[b.ids[i]] = rid
		p[b.custs[i]] = cs[math.random(ncust)]
	end
	return wrk.format("POST", "/api/v1/events", ev.headers, table.concat(p))
end

-- one line for run.sh to read: requests, seconds, latency percentiles
-- (ms), answers that were errors, socket errors
function ev.done(summary, latency, per)
	local e = summary.errors
	io.write(string.format("RESULT requests=%d seconds=%.3f per=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f " ..
		"max_ms=%.3f status_errors=%d connect=%d read=%d write=%d timeout=%d\n",
		summary.requests, summary.duration / 1e6, per, latency:percentile(50) / 1000,
		latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
		e.status, e.connect, e.read, e.write, e.timeout))
end

-- wrk numbers its threads through setup()
local nthreads = 0
function ev.setup(thread)
	nthreads = nthreads + 1
	thread:set("tid", nthreads)
end

return ev
