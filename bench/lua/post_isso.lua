-- POST a new comment to Isso's own API (POST /new?uri=…), a unique text each time.
local counter = 0
-- `me` is a global: setup() gives each thread its own number through thread:set.
local threads = 0

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
  local body = string.format(
    '{"text": "Avis numéro %d du lecteur %d (%d) : clair, merci.", "author": "Lecteur %d", ' ..
    '"email": "lecteur%d@example.fr", "title": "Bench"}',
    counter, me, math.random(1, 1000000000), me, me)
  return wrk.format("POST", wrk.path, {["Content-Type"] = "application/json"}, body)
end
