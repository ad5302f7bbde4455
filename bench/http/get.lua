-- wrk script: GET /sessions/{id} of an existing session (a public, read-only call).
--   SESSION_ID=<id> wrk -t1 -c64 -d20s --latency -s bench/http/get.lua http://127.0.0.1:PORT
-- or pass the id after the URL:  wrk ... -s bench/http/get.lua http://127.0.0.1:PORT -- <id>
-- No request() function is defined, so wrk builds the request once (cheapest for the client).

function init(args)
  local id = args[1] or os.getenv("SESSION_ID")
  if id == nil or id == "" then
    error("get.lua: set SESSION_ID or pass the session id after '--'")
  end
  wrk.method = "GET"
  wrk.path = "/sessions/" .. id
end
