-- page.lua - GET the public survey page of personal links, chosen at random
-- from the tokens file (one /s/TOKEN path per line).
local paths = {}
for line in io.lines(os.getenv("TOKENS")) do paths[#paths + 1] = line end
request = function()
	return wrk.format("GET", paths[math.random(#paths)])
end
