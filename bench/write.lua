-- The write floor (bench/floor.py): a bare POST, each answered by one committed INSERT and a 303.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")

function request()
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded"}, "write=1")
end

function response(status, headers, body)
  count_status(status)
end
