-- A JSON-RPC batch of BATCH calls (eth_blockNumber, ids 1..BATCH) as one POST; BATCH=1 sends a single call.
local size = tonumber(os.getenv("BATCH") or "1")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if size == 1 then
  wrk.body = '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}'
else
  local calls = {}
  for i = 1, size do calls[i] = '{"jsonrpc":"2.0","id":' .. i .. ',"method":"eth_blockNumber","params":[]}' end
  wrk.body = "[" .. table.concat(calls, ",") .. "]"
end
