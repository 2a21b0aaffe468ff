-- wrk script for bench/ingest.sh: sends pre-signed SMS deliveries, each at most once.
--
-- wrk's Lua has no HMAC, so bench/ingest_requests.py writes the requests first, one per
-- line: "<hex signature> <json body>", or with BENCH_FORMAT=sms-gate (the sms-gate
-- route, whose signature covers the body and X-Timestamp) "<hex signature> <unix
-- seconds> <json body>". Thread i of n sends lines i, i+n, i+2n, ... in
-- order, so no two requests of a run carry the same SMS. With BENCH_CYCLE=1 (the
-- ceiling run, which stores nothing) a thread starts again at its first line instead.
--
-- Usage: wrk -t N ... -s bench/ingest.lua URL -- REQUESTS_FILE N
-- done() writes the run's facts as JSON to $BENCH_RESULT for bench/ingest_report.py.

local threads = {}

function setup(thread)
    thread:set("id", #threads)
    table.insert(threads, thread)
end

function init(args)
    local path, nthreads = args[1], tonumber(args[2])
    cycle = os.getenv("BENCH_CYCLE") == "1"
    local sms_gate = os.getenv("BENCH_FORMAT") == "sms-gate"
    requests = {}
    local line_no = 0
    for line in io.lines(path) do
        if line_no % nthreads == id then
            if sms_gate then
                local signature, stamp, body = line:match("^(%x+) (%d+) (.+)$")
                requests[#requests + 1] = wrk.format("POST", nil, {
                    ["Content-Type"] = "application/json",
                    ["X-Signature"] = signature,
                    ["X-Timestamp"] = stamp,
                }, body)
            else
                local signature, body = line:match("^(%x+) (.+)$")
                requests[#requests + 1] = wrk.format("POST", nil, {
                    ["Content-Type"] = "application/json",
                    ["X-Signature"] = signature,
                }, body)
            end
        end
        line_no = line_no + 1
    end
    -- Sent when a thread has used all its lines: unsigned, so refused (401), never stored.
    spent = wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, "{}")
    position = 0
    sent = 0
    exhausted = 0
    statuses = {}
    duplicates = 0
    ids = {}
end

function request()
    if position == #requests then
        if not cycle then
            exhausted = exhausted + 1
            wrk.thread:stop()
            return spent
        end
        position = 0
    end
    position = position + 1
    sent = sent + 1
    return requests[position]
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
    if status == 200 and not cycle then
        if body:find('"duplicate":true', 1, true) then
            duplicates = duplicates + 1
        end
        ids[#ids + 1] = tonumber(body:match('"inboxId":"(%d+)"')) or -1
    end
end

local function json_object(t)
    local parts = {}
    for k, v in pairs(t) do
        parts[#parts + 1] = string.format('"%s":%d', tostring(k), v)
    end
    return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, _)
    local sent_per_thread, all_statuses, all_ids = {}, {}, {}
    local total_exhausted, total_duplicates = 0, 0
    for i, thread in ipairs(threads) do
        sent_per_thread[i] = thread:get("sent")
        total_exhausted = total_exhausted + thread:get("exhausted")
        total_duplicates = total_duplicates + thread:get("duplicates")
        for status, count in pairs(thread:get("statuses")) do
            all_statuses[status] = (all_statuses[status] or 0) + count
        end
        for _, inbox_id in ipairs(thread:get("ids")) do
            all_ids[#all_ids + 1] = string.format("%d", inbox_id)
        end
    end
    local e = summary.errors
    local out = assert(io.open(os.getenv("BENCH_RESULT"), "w"))
    out:write(string.format(
        '{"duration_us":%d,"requests":%d,"bytes":%d,'
            .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
            .. '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f},'
            .. '"sent_per_thread":[%s],"exhausted":%d,"duplicates":%d,'
            .. '"statuses":%s,"inbox_ids":[%s]}\n',
        summary.duration, summary.requests, summary.bytes,
        e.connect, e.read, e.write, e.status, e.timeout,
        latency:percentile(50), latency:percentile(90), latency:percentile(99),
        latency.max, latency.mean,
        table.concat(sent_per_thread, ","), total_exhausted, total_duplicates,
        json_object(all_statuses), table.concat(all_ids, ",")
    ))
    out:close()
end
