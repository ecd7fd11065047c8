-- A GET of one page, as a browser that is signed in sends it.
--   BENCH_COOKIE   the Cookie header (session, device)
--   BENCH_HX       "1": an htmx request (HX-Request: true)
--   BENCH_ETAG     an ETag to revalidate with If-None-Match; every 200 that brings a new
--                  ETag replaces it, as the browser's cache would, so a changed queue is
--                  fetched once and then answered 304 again.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")

local cookie = os.getenv("BENCH_COOKIE") or ""
local hx = os.getenv("BENCH_HX") == "1"
local etag = os.getenv("BENCH_ETAG") or ""

function request()
  local headers = {}
  if cookie ~= "" then headers["Cookie"] = cookie end
  if hx then headers["HX-Request"] = "true" end
  if etag ~= "" then headers["If-None-Match"] = etag end
  return wrk.format("GET", nil, headers)
end

function response(status, headers, body)
  count_status(status)
  if etag ~= "" and status == 200 then
    etag = headers["ETag"] or headers["etag"] or etag
  end
end
