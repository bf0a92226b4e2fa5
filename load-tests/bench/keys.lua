-- Each request presents the next key of a key list (KEYS_FILE), each wrk thread its own slice, so that every
-- request brings a key this thread has not sent before until the slice runs out (then it starts over).
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
  table.insert(threads, thread)
end

function init(args)
  local path = os.getenv("KEYS_FILE")
  local all = {}
  for line in io.lines(path) do all[#all + 1] = line end
  local count = tonumber(os.getenv("THREADS") or "2")
  keys = {}
  for i = index, #all, count do keys[#keys + 1] = all[i] end
  next_key = 1
  chain = os.getenv("CHAIN") or "bench"
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}'
end

function request()
  local key = keys[next_key]
  next_key = next_key + 1
  if next_key > #keys then next_key = 1 end
  return wrk.format(nil, "/v1/" .. chain .. "/" .. key)
end
