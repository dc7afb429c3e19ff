-- POST a new comment through the iframe form: a token served by the page, a unique text.
local token = os.getenv("BENCH_TOKEN")
local page = os.getenv("BENCH_PAGE_URL")
local counter = 0
-- `me` is a global: setup() gives each thread its own number through thread:set.
local threads = 0

local function encode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

setup = function(thread)
  thread:set("me", threads)
  threads = threads + 1
end

init = function(args)
  me = me or 0
  math.randomseed(os.time() + me * 7919)
end

request = function()
  counter = counter + 1
  local text = string.format(
    "Avis numéro %d du lecteur %d (%d) : l'article est clair, merci pour les détails.",
    counter, me, math.random(1, 1000000000))
  local body = "token=" .. encode(token) .. "&url=" .. encode(page) ..
    "&title=Bench&author=" .. encode("Lecteur " .. me) ..
    "&email=" .. encode("lecteur" .. me .. "@example.fr") .. "&body=" .. encode(text)
  return wrk.format("POST", wrk.path, {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
