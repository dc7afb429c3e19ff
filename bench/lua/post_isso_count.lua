-- Isso's counts for many pages: POST /count with the list of page URIs.
local body = os.getenv("BENCH_BODY")
request = function()
  return wrk.format("POST", wrk.path, {["Content-Type"] = "application/json"}, body)
end
