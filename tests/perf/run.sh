#!/usr/bin/env bash
# Side-by-side timings of whole commands, in one run on this machine (see docs/performance.md):
#   - start-up: gates and a dry-run respond, Native AOT vs JIT, against `node -e 0` and /bin/true;
#   - scale: gates with 100, 10,000 (every window full: 35 days) and 1,000,000 audit records (~390 MB), with peak memory;
#   - verify-log throughput over the big log;
#   - history: an applied and committed run (the action against the API double) over 100 and 1,000,000 records
#     of history in segments: wall time, peak RSS and request bytes, and their ratios (target: at most 1.5x);
#   - evaluate: one scheduled evaluation with five signals, committed against the API double: wall time, peak RSS,
#     requests by kind.
# Usage: tests/perf/run.sh [--quick]   (--quick: 20,000 records and few runs, a smoke for CI)
#        PERF_AOT_BINARY=path: time that AOT binary instead of publishing one.
# Prints a table with medians and ratios; raw hyperfine JSON lands in artifacts/perf/.
set -euo pipefail
cd "$(dirname "$0")/../.."

big=1000000 runs=30 warmup=3 history_runs=7 evaluate_runs=7
if [ "${1:-}" = "--quick" ]; then big=20000 runs=5 warmup=1 history_runs=2 evaluate_runs=2; fi

out=artifacts/perf
mkdir -p "$out"

need() { command -v "$1" >/dev/null 2>&1 || { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$2" >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$2" >/dev/null; }; }; }
need hyperfine hyperfine
need clang clang
dpkg -s zlib1g-dev >/dev/null 2>&1 || need /nonexistent zlib1g-dev
[ -x /usr/bin/time ] || need /nonexistent time
command -v node >/dev/null || { echo "node is needed for the comparison" >&2; exit 1; }

echo "== building (Release): JIT and Native AOT" >&2
dotnet publish src/PolicyAction/PolicyAction.csproj -c Release -o "$out/jit" --nologo -v quiet -p:UseAppHost=true >/dev/null
jit="$PWD/$out/jit/policy-response"
if [ -n "${PERF_AOT_BINARY:-}" ]; then
  aot=$(realpath "$PERF_AOT_BINARY")   # already published (.ci/run passes the one it tested)
else
  dotnet publish src/PolicyAction/PolicyAction.csproj -c Release -r linux-x64 -p:PublishAot=true -o "$out/aot" --nologo -v quiet >/dev/null
  aot="$PWD/$out/aot/policy-response"
fi

echo "== workspaces: the example, and logs of 100 and $big records" >&2
workspace() { rm -rf "$out/$1" && cp -r examples/workspace "$out/$1"; }
workspace ws-small
workspace ws-100
workspace ws-10k
workspace ws-big
dotnet run -c Release --project tests/PolicyAction.Benchmarks -- generate-log "$out/ws-100/state/policy_response_log.jsonl" 100 >&2
dotnet run -c Release --project tests/PolicyAction.Benchmarks -- generate-log "$out/ws-10k/state/policy_response_log.jsonl" 10000 --segmented >&2
dotnet run -c Release --project tests/PolicyAction.Benchmarks -- generate-log "$out/ws-big/state/policy_response_log.jsonl" "$big" --segmented >&2
small="$PWD/$out/ws-small" ws100="$PWD/$out/ws-100" ws10k="$PWD/$out/ws-10k" wsbig="$PWD/$out/ws-big"
log_bytes=$(find "$wsbig/state" -path "*policy_response_log*" -name "*.jsonl" -type f -print0 | xargs -0 cat | wc -c)

# Every measured command must succeed: a failing command is fast and would flatter the figures.
for cmd in "$aot gates --workspace $small" "$aot respond --policy RED --workspace $small" "$aot verify-log --workspace $wsbig" "$aot gates --workspace $wsbig"; do
  $cmd >/dev/null || { echo "failed: $cmd" >&2; exit 1; }
done

export POLICY_AUTO_APPLY=
hf() { hyperfine -N --style none --warmup "$warmup" --runs "$runs" --export-json "$@" >/dev/null; }
echo "== start-up" >&2
hf "$out/startup.json" \
  -n "/bin/true" "/bin/true" \
  -n "node -e 0" "node -e 0" \
  -n "gates (AOT)" "$aot gates --workspace $small" \
  -n "gates (JIT)" "$jit gates --workspace $small" \
  -n "respond dry run (AOT)" "$aot respond --policy RED --workspace $small" \
  -n "respond dry run (JIT)" "$jit respond --policy RED --workspace $small"
echo "== scale" >&2
hf "$out/scale.json" \
  -n "gates, 100 records (AOT)" "$aot gates --workspace $ws100" \
  -n "gates, 10000 records (AOT)" "$aot gates --workspace $ws10k" \
  -n "gates, $big records (AOT)" "$aot gates --workspace $wsbig"
echo "== verify-log" >&2
hyperfine -N --style none --warmup 1 --runs "$([ "$runs" -gt 5 ] && echo 5 || echo "$runs")" --export-json "$out/verify.json" \
  -n "verify-log, $big records (AOT)" "$aot verify-log --workspace $wsbig" >/dev/null

echo "== history: an applied, committed run over 100 and $big records, against the API double" >&2
dotnet build -c Release tests/PolicyAction.Benchmarks --nologo -v quiet >/dev/null
dotnet run -c Release --no-build --project tests/PolicyAction.Benchmarks -- history-run "$aot" examples/workspace \
  "$(cd .. && pwd)/shared/webhook-payloads/workflow_run.completed.json" "$history_runs" 100 "$big" > "$out/history.jsonl"

echo "== evaluate: one scheduled evaluation with five signals, committed against the API double" >&2
dotnet run -c Release --no-build --project tests/PolicyAction.Benchmarks -- evaluate-run "$aot" examples/workspace \
  "$evaluate_runs" > "$out/evaluate.jsonl"

peak() { /usr/bin/time -v "$@" 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p'; }
peak_small=$(peak "$aot" gates --workspace "$ws100")
peak_big=$(peak "$aot" gates --workspace "$wsbig")
peak_verify=$(peak "$aot" verify-log --workspace "$wsbig")

node - "$out" "$log_bytes" "$peak_small" "$peak_big" "$peak_verify" "$(stat -c %s "$aot")" <<'JS'
const [out, logBytes, peakSmall, peakBig, peakVerify, aotBytes] = process.argv.slice(2);
const history = require('fs').readFileSync(`${out}/history.jsonl`, 'utf8').trim().split('\n').map(l => JSON.parse(l));
const evaluation = JSON.parse(require('fs').readFileSync(`${out}/evaluate.jsonl`, 'utf8').trim());
const fs = require('fs');
const load = f => JSON.parse(fs.readFileSync(`${out}/${f}`)).results;
const ms = r => r.median * 1000;
const startup = load('startup.json'), scale = load('scale.json'), verify = load('verify.json');
const by = name => [...startup, ...scale, ...verify].find(r => r.command === name);
const node = ms(by('node -e 0'));
const row = (name, ratio) => `| ${name} | ${ms(by(name)).toFixed(1)} | ${ratio} |`;
const lines = ['| command | median ms | ratio |', '|---|---:|---|'];
for (const r of startup) {
  const name = r.command;
  let ratio = `${(ms(r) / node).toFixed(2)}× node`;
  const jit = name.endsWith('(AOT)') && by(name.replace('(AOT)', '(JIT)'));
  if (jit) ratio += `, JIT ÷ AOT ${(ms(jit) / ms(r)).toFixed(1)}×`;
  lines.push(row(name, ratio));
}
// 100 records span 8 hours, less than the gates' longest window (7 days); 10,000 span 35 days, so every window
// is full: 10,000 -> 1,000,000 shows whether the cost grows with the log's length.
const [small, full, big] = scale;
lines.push(row(small.command, `peak RSS ${(peakSmall / 1024).toFixed(1)} MB`));
lines.push(row(full.command, `${(ms(full) / ms(small)).toFixed(2)}× the 100-record run (windows full)`));
lines.push(row(big.command, `${(ms(big) / ms(full)).toFixed(2)}× the 10000-record run, ${(ms(big) / ms(small)).toFixed(2)}× the 100-record run; peak RSS ${(peakBig / 1024).toFixed(1)} MB`));
const v = verify[0];
lines.push(row(v.command, `${(logBytes / 1e6 / v.median).toFixed(0)} MB/s over ${(logBytes / 1e6).toFixed(0)} MB; peak RSS ${(peakVerify / 1024).toFixed(1)} MB`));
lines.push('', '| applied, committed run (AOT, API double) | segments | median ms | peak RSS MB | requests | request bytes |', '|---|---:|---:|---:|---:|---:|');
for (const h of history) {
  lines.push(`| ${h.records} records (${(h.log_bytes / 1e6).toFixed(1)} MB) | ${h.segments} | ${h.wall_ms_median.toFixed(1)} | ${(h.peak_rss_kb / 1024).toFixed(1)} | ${h.requests} | ${h.request_bytes} |`);
}
const [young, old] = [history[0], history[history.length - 1]];
lines.push(`| ratio, ${old.records} ÷ ${young.records} records (target ≤ 1.5×; RSS ≤ 64 MB) | | ${(old.wall_ms_median / young.wall_ms_median).toFixed(2)}× | ${(old.peak_rss_kb / young.peak_rss_kb).toFixed(2)}× | | ${(old.request_bytes / young.request_bytes).toFixed(2)}× |`);
const kinds = evaluation.requests_by_kind;
lines.push('', '| scheduled evaluation (AOT, API double) | signals | median ms | peak RSS MB | requests | signal reads | commit (git data) | other |', '|---|---:|---:|---:|---:|---:|---:|---:|');
lines.push(`| evaluate, level ${evaluation.level} | ${evaluation.signals} | ${evaluation.wall_ms_median.toFixed(1)} | ${(evaluation.peak_rss_kb / 1024).toFixed(1)} | ${evaluation.requests} | ${kinds.signal?.count ?? 0} | ${kinds.commit?.count ?? 0} | ${kinds.other?.count ?? 0} |`);
lines.push('', `AOT binary: ${(aotBytes / 1e6).toFixed(1)} MB`);
console.log(lines.join('\n'));
JS
