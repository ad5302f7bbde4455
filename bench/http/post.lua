-- wrk script: POST /sessions with a speaker token; every request creates one session.
--   TOKEN=<jwt> wrk -t1 -c64 -d20s --latency -s bench/http/post.lua http://127.0.0.1:PORT
-- or pass the token after the URL:  wrk ... -s bench/http/post.lua http://127.0.0.1:PORT -- <jwt>
-- Raise the server's per-user creation limit (PENTECOST_LIMITS_SESSION_CREATES_PER_HOUR,
-- default 50) first, or nearly every request is a 429, which wrk reports under
-- "Non-2xx or 3xx responses". SOURCE_LANGUAGE (default en) picks the body's language.
-- No request() function is defined, so wrk builds the request once (cheapest for the client).

function init(args)
  local token = args[1] or os.getenv("TOKEN")
  if token == nil or token == "" then
    error("post.lua: set TOKEN or pass the bearer token after '--'")
  end
  local lang = os.getenv("SOURCE_LANGUAGE") or "en"
  wrk.method = "POST"
  wrk.path = "/sessions"
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = '{"sourceLanguage":"' .. lang .. '"}'
end
