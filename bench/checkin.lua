-- Kiosk check-in: each request scans a different guest's ticket, as a queue at the
-- venue would. The runner pairs a kiosk, opens its start screen and hands over:
--   BENCH_COOKIE   the kiosk's device credential and its session (which holds the CSRF secret)
--   BENCH_CSRF     the CSRF token from the start screen's form
--   BENCH_TICKETS  a file with one ticket code a line (confirmed guests not checked in yet)
-- Threads stride through the file from their own start, so no two scan the same guest; a
-- thread that runs past the end repeats a guest, counted as 398. Every scan sent is counted
-- as 0, so the runner knows how many were still unanswered when wrk stopped.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")

local cookie = os.getenv("BENCH_COOKIE")
local csrf = os.getenv("BENCH_CSRF")
local codes = {}
for line in io.lines(os.getenv("BENCH_TICKETS")) do
  if line ~= "" then table.insert(codes, line) end
end

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
local position = nil
local step = 1

local function nonce()
  -- A fresh screen per guest: 22 URL-safe characters, as kiosk/forms.py makes them.
  local out = {}
  for i = 1, 22 do
    local k = math.random(1, #alphabet)
    out[i] = alphabet:sub(k, k)
  end
  return table.concat(out)
end

function init(args)
  -- Threads start apart and stride by their count, so no two scan the same guest.
  math.randomseed(os.time() + id * 7919)
  position = id
  step = tonumber(os.getenv("BENCH_THREADS") or "1")
end

function request()
  if position > #codes then
    -- Past the last guest: this scan repeats one. Counted (as 398) so the table shows it.
    count_status(398)
  end
  count_status(0)
  local code = codes[((position - 1) % #codes) + 1]
  position = position + step
  local body = "csrf_token=" .. csrf .. "&nonce=" .. nonce() .. "&ticket=" .. code
  return wrk.format("POST", nil, {
    ["Cookie"] = cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end

function response(status, headers, body)
  -- 303 to /kiosk/welcome/<nonce> is "checked in"; anything else is counted apart.
  local location = headers["Location"] or headers["location"] or ""
  if status == 303 and location:find("/kiosk/welcome/", 1, true) then
    count_status(303)
  else
    count_status(status == 303 and 399 or status)
  end
end
