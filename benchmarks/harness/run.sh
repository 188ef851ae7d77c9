#!/usr/bin/env bash
# Egret's load harness (issue 7 item 2): Egret, nginx and HAProxy side by side on 127.0.0.1.
#
#   benchmarks/harness/run.sh [--smoke] [--duration S] [--connections N] [--rounds R]
#                             [--scenarios a,b,d,e] [--out DIR]
#
#   (full run)  scenarios a, b, d, e through Egret, nginx and HAProxy, alternating the proxies round
#               by round (egret, nginx, haproxy, egret, nginx, haproxy) to cancel machine drift; raw
#               numbers and the report (summary.md, PNG charts) go to benchmarks/results/<UTC date>/.
#               About 7 minutes with the defaults (--duration 15 --rounds 2).
#   --smoke     a few seconds of scenario (a) through Egret only, nothing written to results/; prints
#               one summary line, exits 1 if Egret answered no request with a 2xx. When nginx or wrk
#               is missing and cannot be installed (no root, no apt), prints SKIP and exits 0.
#
# Scenarios (see benchmarks/harness/README.md):
#   a  HTTP/1.1 keep-alive, --connections (64) connections, small body, access log on
#   b  the same with TLS origination to an HTTPS backend (the harness's own CA, SNI, SAN check)
#   d  a fixed 1000 requests/s of 1 KB responses (paced wrk), plus a direct run for the latency baseline
#   e  10,000 idle keep-alive connections: RSS per connection, and Egret's heap per connection
# (c, HBONE, waits for Egret's HBONE server.)
#
# Needs: JDK 17+, python3, and (installed with apt-get when missing and running as root) nginx,
# haproxy, wrk, openssl, gnuplot-nox. Egret is container/target/egret.jar, built when missing.
# Environment: EGRET_JAVA_OPTS (default -Xmx256m), HARNESS_BASE_PORT (default 27000),
# HARNESS_PROXY_CPUS / HARNESS_LOAD_CPUS (taskset lists; default 0 and 1 on a machine with >= 2 CPUs),
# HARNESS_IDLE_CONNECTIONS (default 10000), HARNESS_WARMUP (seconds, default 8), EGRET_MVN_FLAGS.
set -euo pipefail
{ # the whole script is one compound command, read before it runs: editing it mid-run is safe

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

smoke=0 duration=15 connections=64 rounds=2 scenarios="a,b,d,e" out=""
usage() { sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --duration) duration="$2"; shift ;;
    --connections) connections="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --scenarios) scenarios="$2"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [[ $smoke == 1 ]]; then
  scenarios="a" rounds=1
  [[ $duration == 15 ]] && duration=3
fi
warmup="${HARNESS_WARMUP:-8}"
[[ $smoke == 1 ]] && warmup=1
idle_n="${HARNESS_IDLE_CONNECTIONS:-10000}"
egret_opts="${EGRET_JAVA_OPTS--Xmx256m}"
log() { echo "[harness $(date -u +%H:%M:%S)] $*" >&2; }

# ---------------------------------------------------------------- packages
ensure_packages() {
  local -a want=(nginx:nginx wrk:wrk openssl:openssl)
  [[ $smoke == 1 ]] || want+=(haproxy:haproxy gnuplot:gnuplot-nox)
  local -a missing=()
  local w
  for w in "${want[@]}"; do
    command -v "${w%%:*}" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin" command -v "${w%%:*}" >/dev/null 2>&1 \
      || missing+=("${w#*:}")
  done
  export PATH="$PATH:/usr/sbin"
  [[ ${#missing[@]} -eq 0 ]] && return 0
  local why=""
  if [[ $(id -u) != 0 ]]; then
    why="not root"
  elif ! command -v apt-get >/dev/null 2>&1; then
    why="no apt-get"
  else
    log "installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    # the smoke run (CI) must stay under a minute: short limits, then it skips
    local t_install=180 t_update=120
    [[ $smoke == 1 ]] && t_install=20 t_update=15
    if ! timeout "$t_install" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
      timeout "$t_update" apt-get update -q >/dev/null 2>&1 || true
      timeout "$t_install" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
        || why="apt-get install ${missing[*]} failed or took longer than ${t_install} s"
    fi
  fi
  for w in "${want[@]}"; do
    command -v "${w%%:*}" >/dev/null 2>&1 || { why="${why:-${w%%:*} still missing}"; break; }
  done
  [[ -z $why ]] && return 0
  if [[ $smoke == 1 ]]; then
    echo "SKIP harness smoke: needs ${missing[*]}, cannot install ($why)"
    exit 0
  fi
  echo "run.sh: needs ${missing[*]}, cannot install ($why)" >&2
  exit 1
}
ensure_packages
command -v java >/dev/null || { echo "run.sh: java (JDK 17+) is needed" >&2; exit 1; }
command -v python3 >/dev/null || { echo "run.sh: python3 is needed" >&2; exit 1; }

jar="$root/container/target/egret.jar"
if [[ ! -f $jar ]]; then
  log "building $jar"
  # shellcheck disable=SC2086
  (cd "$root" && mvn -B -q -DskipTests ${EGRET_MVN_FLAGS:-} package)
fi

# ---------------------------------------------------------------- layout
base="${HARNESS_BASE_PORT:-27000}"
export BACKEND_PORT=$((base + 1)) BACKEND_TLS_PORT=$((base + 2))
export EGRET_PORT=$((base + 10)) EGRET_ADMIN_PORT=$((base + 11)) NGINX_PORT=$((base + 20))
export HAPROXY_PORT=$((base + 30))
declare -A PORT=([egret]=$EGRET_PORT [nginx]=$NGINX_PORT [haproxy]=$HAPROXY_PORT [direct]=$BACKEND_PORT)

if [[ -n ${HARNESS_PROXY_CPUS:-} || -n ${HARNESS_LOAD_CPUS:-} ]]; then
  proxy_cpus="${HARNESS_PROXY_CPUS:-0}" load_cpus="${HARNESS_LOAD_CPUS:-1}"
elif [[ $(nproc) -ge 2 ]]; then
  proxy_cpus=0 load_cpus=1
else
  proxy_cpus="" load_cpus=""
fi
pin_proxy=() pin_load=()
[[ -n $proxy_cpus ]] && pin_proxy=(taskset -c "$proxy_cpus")
[[ -n $load_cpus ]] && pin_load=(taskset -c "$load_cpus")

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
# HAProxy refuses to start when 2 x maxconn file descriptors do not fit the limit
fd_limit=$(ulimit -n)
[[ $fd_limit == unlimited ]] && fd_limit=1048576
export HAPROXY_MAXCONN=$(( (fd_limit - 200) / 2 > 40000 ? 40000 : (fd_limit - 200) / 2 ))
WORK="$(mktemp -d /tmp/egret-harness.XXXXXX)"
export WORK
if [[ $smoke == 1 ]]; then
  res="$WORK/results"
else
  res="${out:-$root/benchmarks/results/$(date -u +%Y-%m-%d)}"
  rm -f "$res"/runs.jsonl "$res"/*.png "$res"/summary.md "$res"/meta.json "$res"/*.log
fi
mkdir -p "$res"
runs="$res/runs.jsonl"
: >"$runs"
clk_tck=$(getconf CLK_TCK)

started=()
cleanup() {
  local p
  for p in "${started[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${started[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

render() { # template output: substitute ${VAR} from the environment, failing on an unset one
  perl -pe 's/\$\{(\w+)\}/exists $ENV{$1} ? $ENV{$1} : die "unset \${$1} in $ARGV\n"/ge' "$1" >"$2"
}

wait_port() { # port seconds [pid that must stay alive]
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    [[ -n ${3:-} ]] && ! kill -0 "$3" 2>/dev/null && return 1
    sleep 0.1
  done
  return 1
}

pids_of() { # main pid, then its children (nginx workers)
  echo "$1"
  ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' ' || true
}
cpu_ticks() { # utime + stime of the given pids (all threads: /proc/PID/stat covers the process)
  local p sum=0 t
  for p in "$@"; do
    t=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}') || t=0
    sum=$((sum + ${t:-0}))
  done
  echo "$sum"
}
rss_kb() {
  local p sum=0 r
  for p in "$@"; do
    r=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null) || r=0
    sum=$((sum + ${r:-0}))
  done
  echo "$sum"
}
egret_heap_kb() { # used heap after a full GC, from jcmd
  jcmd "$1" GC.run >/dev/null 2>&1 || true
  # Serial/Parallel print one "... generation total NK, used NK" line per generation, G1 one
  # "garbage-first heap total NK, used NK" line: sum the used of those (not Metaspace)
  jcmd "$1" GC.heap_info 2>/dev/null \
    | awk '/(generation|heap) +total/ { if (match($0, /used [0-9]+K/)) s += substr($0, RSTART + 5, RLENGTH - 6) } END { print s + 0 }'
}

# ---------------------------------------------------------------- processes
declare -A PID=()
declare -A DIR=([egret]=egret [nginx]=nginx-proxy [haproxy]=haproxy)
tls_setup() {
  mkdir -p "$WORK/tls"
  (
    cd "$WORK/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=harness test CA" \
      -keyout ca.key -out ca.pem -addext basicConstraints=critical,CA:TRUE \
      -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=backend.harness.local" \
      -keyout backend.key -out backend.csr 2>/dev/null
    printf 'subjectAltName=DNS:backend.harness.local\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >ext
    openssl x509 -req -in backend.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
      -extfile ext -out backend.pem 2>/dev/null
  )
}

start_backend() {
  mkdir -p "$WORK/backend"
  BODY_1K="$(head -c 1024 /dev/zero | tr '\0' 'x')"
  export BODY_1K
  render "$here/conf/backend-nginx.conf" "$WORK/backend/nginx.conf"
  "${pin_load[@]}" nginx -p "$WORK/backend" -e "$WORK/backend/error.log" -c "$WORK/backend/nginx.conf" \
    -g 'daemon off;' &
  PID[backend]=$!
  started+=("$!")
  wait_port "$BACKEND_PORT" 20 "${PID[backend]}" || { echo "run.sh: the backend did not start" >&2; cat "$WORK/backend/error.log" >&2; exit 1; }
}

start_proxy() { # name tls(0|1)
  local name=$1 tls=$2 d="$WORK/${DIR[$1]}"
  rm -rf "$d"
  mkdir -p "$d"
  if [[ $tls == 1 ]]; then
    export UPSTREAM_PORT=$BACKEND_TLS_PORT UPSTREAM_SCHEME=https
    export HAPROXY_SERVER_OPTS="ssl verify required ca-file $WORK/tls/ca.pem sni str(backend.harness.local) verifyhost backend.harness.local"
  else
    export UPSTREAM_PORT=$BACKEND_PORT UPSTREAM_SCHEME=http HAPROXY_SERVER_OPTS=""
  fi
  case $name in
    egret)
      render "$here/conf/egret-$([[ $tls == 1 ]] && echo tls || echo http).yaml" "$d/egret.yaml"
      # shellcheck disable=SC2086
      "${pin_proxy[@]}" java $egret_opts -jar "$jar" -c "$d/egret.yaml" >"$d/egret.out" 2>&1 &
      ;;
    nginx)
      render "$here/conf/nginx-proxy.conf" "$d/nginx.conf"
      "${pin_proxy[@]}" nginx -p "$d" -e "$d/error.log" -c "$d/nginx.conf" -g 'daemon off;' &
      ;;
    haproxy)
      render "$here/conf/haproxy-http.cfg" "$d/haproxy.cfg"
      "${pin_proxy[@]}" haproxy -db -f "$d/haproxy.cfg" >"$d/access.log" 2>"$d/haproxy.err" &
      ;;
  esac
  PID[$name]=$!
  started+=("$!")
  if ! wait_port "${PORT[$name]}" 60 "${PID[$name]}"; then
    echo "run.sh: $name did not start listening on ${PORT[$name]}:" >&2
    tail -20 "$d"/*.out "$d"/*.err "$d"/error.log 2>/dev/null >&2 || true
    exit 1
  fi
}

stop_proxy() {
  local p=${PID[$1]:-}
  [[ -z $p ]] && return 0
  kill "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  unset "PID[$1]"
}

access_log_of() { echo "$WORK/${DIR[$1]}/access.log"; }

http_get() { # url: the body, or nothing (no curl needed)
  python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
    "$1" 2>/dev/null || true
}

# ---------------------------------------------------------------- measurement
# load scenario proxy round seconds connections path rate(0 = closed loop) record(0|1)
load() {
  local scen=$1 proxy=$2 round=$3 secs=$4 conns=$5 path=$6 rate=$7 record=$8
  local -a pids=() extra=()
  local url="http://127.0.0.1:${PORT[$proxy]}$path" wout="$WORK/wrk.out"
  [[ $proxy != direct ]] && mapfile -t pids < <(pids_of "${PID[$proxy]}")
  [[ $rate != 0 ]] && extra=(-- "$rate")
  local c0 t0 c1 t1 rss
  c0=$(cpu_ticks "${pids[@]}")
  t0=$(date +%s%N)
  "${pin_load[@]}" wrk -t1 -c"$conns" -d"${secs}s" --timeout 5s --latency -s "$here/wrk-report.lua" \
    "$url" "${extra[@]}" >"$wout" 2>&1 || true
  t1=$(date +%s%N)
  c1=$(cpu_ticks "${pids[@]}")
  rss=$(rss_kb "${pids[@]}")
  local line
  line=$(grep -m1 '^HARNESS_RESULT' "$wout" || true)
  if [[ -z $line ]]; then
    log "$scen/$proxy round $round: wrk printed no result:"
    sed 's/^/    /' "$wout" >&2
    line="HARNESS_RESULT requests=0 duration_us=1 status_errors=0"
  fi
  if [[ $record == 1 ]]; then
    {
      printf '{"scenario":"%s","proxy":"%s","round":%s,"connections":%s,"rate":%s,"seconds":%s' \
        "$scen" "$proxy" "$round" "$conns" "$rate" "$secs"
      printf ',"cpu_us":%s,"wall_us":%s,"rss_kb":%s,"processes":%s' \
        "$(( (c1 - c0) * 1000000 / clk_tck ))" "$(( (t1 - t0) / 1000 ))" "$rss" "${#pids[@]}"
      local kv
      for kv in ${line#HARNESS_RESULT }; do printf ',"%s":%s' "${kv%%=*}" "${kv#*=}"; done
      printf '}\n'
    } >>"$runs"
  fi
  echo "$line"
}

summary_of() { # the last runs.jsonl line, human readable
  python3 - "$runs" <<'EOF'
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
ok = r["requests"] - r.get("status_errors", 0)
cpu = r["cpu_us"] / r["requests"] if r["requests"] else float("nan")
print(f'{r["scenario"]}/{r["proxy"]} round {r["round"]}: {r["requests"]} requests '
      f'({ok} 2xx), {r["requests"] * 1e6 / r["duration_us"]:.0f} req/s, p50 {r.get("p50_us", 0)/1000:.2f} ms, '
      f'p99 {r.get("p99_us", 0)/1000:.2f} ms, p99.9 {r.get("p999_us", 0)/1000:.2f} ms, '
      f'proxy CPU {cpu:.1f} us/req, RSS {r["rss_kb"]/1024:.0f} MB, '
      f'errors connect/read/write/timeout {r.get("connect_errors",0)}/{r.get("read_errors",0)}/'
      f'{r.get("write_errors",0)}/{r.get("timeouts",0)}')
EOF
}

warm() { # proxy connections path rate
  local line
  line=$(load warmup "$1" 0 "$warmup" "$2" "$3" "$4" 0)
  log "warmup $1: ${line#HARNESS_RESULT }"
}

proxies=(egret nginx haproxy)
[[ $smoke == 1 ]] && proxies=(egret)

closed_loop_scenario() { # scenario tls
  local scen=$1 tls=$2 p r
  log "scenario $scen: starting ${proxies[*]}"
  for p in "${proxies[@]}"; do start_proxy "$p" "$tls"; done
  for p in "${proxies[@]}"; do warm "$p" "$connections" / 0; done
  for ((r = 1; r <= rounds; r++)); do
    for p in "${proxies[@]}"; do
      load "$scen" "$p" "$r" "$duration" "$connections" / 0 1 >/dev/null
      log "$(summary_of)"
    done
  done
  scenario_notes "$scen"
  for p in "${proxies[@]}"; do stop_proxy "$p"; done
}

paced_scenario() { # d: 1000 requests/s of 1 KB
  local p r
  log "scenario d: starting ${proxies[*]}"
  for p in "${proxies[@]}"; do start_proxy "$p" 0; done
  for p in "${proxies[@]}"; do warm "$p" 16 /1k 1000; done
  for ((r = 1; r <= rounds; r++)); do
    for p in "${proxies[@]}"; do
      load d "$p" "$r" "$duration" 16 /1k 1000 1 >/dev/null
      log "$(summary_of)"
    done
  done
  load d direct 1 "$duration" 16 /1k 1000 1 >/dev/null
  log "$(summary_of)"
  scenario_notes d
  for p in "${proxies[@]}"; do stop_proxy "$p"; done
}

idle_scenario() { # e: idle keep-alive connections
  local p
  log "scenario e: $idle_n idle connections to each of ${proxies[*]}"
  for p in "${proxies[@]}"; do start_proxy "$p" 0; done
  for p in "${proxies[@]}"; do
    load warmup "$p" 0 2 8 / 0 0 >/dev/null
    local -a pids=()
    mapfile -t pids < <(pids_of "${PID[$p]}")
    local heap0=0 heap1=0 rss0 rss1 ready="$WORK/idle-$p.json"
    [[ $p == egret ]] && heap0=$(egret_heap_kb "${PID[$p]}")
    rss0=$(rss_kb "${pids[@]}")
    rm -f "$ready"
    local n=$idle_n
    [[ $p == haproxy && $n -gt $((HAPROXY_MAXCONN - 10)) ]] && n=$((HAPROXY_MAXCONN - 10))
    "${pin_load[@]}" python3 "$here/idle_conns.py" "${PORT[$p]}" "$n" "$ready" &
    local client=$! i
    for ((i = 0; i < 900; i++)); do
      [[ -s $ready ]] && break
      sleep 0.1
    done
    if [[ ! -s $ready ]]; then
      log "scenario e: $p: the idle client did not finish opening connections in 90 s"
      echo '{}' >"$ready"
    fi
    sleep 1 # let the proxy settle (buffers returned, no request in flight)
    [[ $p == egret ]] && heap1=$(egret_heap_kb "${PID[$p]}")
    mapfile -t pids < <(pids_of "${PID[$p]}")
    rss1=$(rss_kb "${pids[@]}")
    kill "$client" 2>/dev/null || true
    wait "$client" 2>/dev/null || true
    python3 - "$ready" "$p" "$rss0" "$rss1" "$heap0" "$heap1" "$n" >>"$runs" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
p, rss0, rss1, h0, h1, n = sys.argv[2], *map(int, sys.argv[3:8])
print(json.dumps({"scenario": "e", "proxy": p, "round": 1, "target": n,
                  "opened": c.get("opened", 0), "ok": c.get("ok", 0), "failed": c.get("failed", n),
                  "open_seconds": c.get("seconds"), "rss_before_kb": rss0, "rss_after_kb": rss1,
                  "heap_before_kb": h0, "heap_after_kb": h1}))
EOF
    log "scenario e: $p: $(tail -1 "$runs")"
  done
  scenario_notes e
  for p in "${proxies[@]}"; do stop_proxy "$p"; done
}

notes="$res/notes.jsonl"
: >"$notes"
scenario_notes() { # access-log lines, Egret's dropped log entries and its warnings, per scenario
  local scen=$1 p f lines dropped warn
  for p in "${proxies[@]}"; do
    dropped="" warn=0
    f=$(access_log_of "$p")
    lines=$(wc -l <"$f" 2>/dev/null || echo 0)
    if [[ $p == egret ]]; then
      dropped=$(http_get "http://127.0.0.1:$EGRET_ADMIN_PORT/stats/prometheus" \
        | awk '/^envoy_access_log_dropped/ {s += $2} END {print s + 0}')
      warn=$(grep -c -E 'Exception|ERROR|WARN' "$WORK/egret/egret.out" || true)
      if [[ $warn != 0 ]]; then
        grep -E 'Exception|ERROR|WARN' "$WORK/egret/egret.out" | sort | uniq -c | sort -rn | head -20 \
          >"$res/egret-warnings-$scen.log" || true
      fi
    fi
    printf '{"scenario":"%s","proxy":"%s","access_log_lines":%s,"egret_log_dropped":%s,"egret_warning_lines":%s}\n' \
      "$scen" "$p" "${lines// /}" "${dropped:-null}" "$warn" >>"$notes"
  done
}

# ---------------------------------------------------------------- run
tls_setup
start_backend
t_start=$(date +%s)
egret_banner=""
for s in ${scenarios//,/ }; do
  case $s in
    a) closed_loop_scenario a 0 ;;
    b) closed_loop_scenario b 1 ;;
    d) paced_scenario ;;
    e) idle_scenario ;;
    c) log "scenario c (HBONE) is not available yet: Egret has no HBONE server" ;;
    *) echo "run.sh: unknown scenario '$s'" >&2; exit 2 ;;
  esac
  [[ -z $egret_banner && -f $WORK/egret/egret.out ]] && egret_banner=$(head -1 "$WORK/egret/egret.out")
done

if [[ $smoke == 1 ]]; then
  python3 - "$runs" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
r = rows[-1]
ok = r["requests"] - r.get("status_errors", 0)
cpu = r["cpu_us"] / r["requests"] if r["requests"] else float("nan")
print(f'harness smoke: egret scenario a, {r["connections"]} connections, {r["seconds"]} s: '
      f'{r["requests"]} requests ({ok} 2xx), {r["requests"] * 1e6 / r["duration_us"]:.0f} req/s, '
      f'p99 {r.get("p99_us", 0) / 1000:.2f} ms, CPU {cpu:.1f} us/req, RSS {r["rss_kb"] / 1024:.0f} MB')
sys.exit(0 if ok > 0 else 1)
EOF
  exit $?
fi

python3 - "$res/meta.json" <<EOF
import json, sys
json.dump({
  "date_utc": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "total_seconds": $(( $(date +%s) - t_start )),
  "cpu_model": "$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)",
  "cpus": $(nproc),
  "memory_gib": $(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo),
  "kernel": "$(uname -r)",
  "load_average_after": "$(cut -d' ' -f1-3 /proc/loadavg)",
  "proxy_cpus": "${proxy_cpus:-all}",
  "load_cpus": "${load_cpus:-all}",
  "duration_s": $duration, "connections": $connections, "rounds": $rounds, "warmup_s": $warmup,
  "idle_connections": $idle_n,
  "egret_java_opts": "$egret_opts",
  "egret": "$egret_banner",
  "java": "$(java -version 2>&1 | head -1 | sed 's/"//g')",
  "nginx": "$(nginx -v 2>&1 | sed 's/.*: //')",
  "haproxy": "$(haproxy -v 2>/dev/null | head -1 | cut -d' ' -f1-3)",
  "wrk": "$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)",
}, open(sys.argv[1], "w"), indent=1)
EOF
python3 "$here/report.py" "$res"
log "done: $res/summary.md"
exit 0
}
