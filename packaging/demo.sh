#!/usr/bin/env bash
# The Quick start demo, after the build: droverd on a fresh data dir (HTTPS with the self-signed
# certificate it makes, embedded LMDB, the admin password it generates), the demo content bundle
# (packaging/demo-content) uploaded with the CLI, six machines in its workflow and one
# `drover agent` per machine, each with its own state dir and token. `--skip-power` stands in for
# reboots: the agent exits where a machine would reboot and the demo starts it again (the boot).
# It prints the machines' progress until every workflow is complete, then how to look with the
# CLI. It exits non-zero, with the logs that say why, if a job fails, an agent stops for another
# reason or the workflows take longer than $DROVER_DEMO_TIMEOUT seconds (default 120).
# On a terminal droverd and the agents keep running until Enter or Ctrl-C; otherwise (CI, ctest)
# everything stops and is deleted at the end.
# Usage: packaging/demo.sh [--build-dir DIR]   (the binaries' build dir, default ./build)
set -euo pipefail
build=
case "$#:${1:-}" in
  0:) ;;
  2:--build-dir) build=$(cd "$2" && pwd) ;;
  *) echo "usage: packaging/demo.sh [--build-dir DIR]" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
build=${build:-$PWD/build}
content=$PWD/packaging/demo-content
workflow=demo-bring-up
machine_count=6
timeout_s=${DROVER_DEMO_TIMEOUT:-120}
interactive=false
[ -t 0 ] && [ -t 1 ] && interactive=true

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
elapsed() { local ms=$(($(now_ms) - started_ms)); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }
started_ms=$(now_ms)
work=$(mktemp -d /tmp/drover-demo-XXXXXX)
droverd_pid=
declare -a names uuids tokens agent_pids boots events
# SIGTERM, and SIGKILL for what still runs 5 s later.
stop() { # <pid>...
  [ $# -gt 0 ] || return 0
  kill "$@" 2>/dev/null || true
  local n
  for ((n = 0; n < 50; n++)); do kill -0 "$@" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$@" 2>/dev/null || true
  wait "$@" 2>/dev/null || true
}
# The agents first, so that they end while droverd can still take their last words.
cleanup() {
  stop "${agent_pids[@]}"
  stop $droverd_pid
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

drover() { "$build/agent/drover" "$@"; }
agent_log() { echo "$work/agents/${names[$1]}/boot-${boots[$1]}.log"; }

# Says what went wrong, shows the logs that explain it, and exits 1.
fail() { # <message> [machine index]
  local i=${2:-}
  echo >&2
  echo "demo FAILED: $1" >&2
  if [ -n "$i" ]; then
    echo "--- ${names[$i]}: agent log of boot ${boots[$i]} (last 20 lines)" >&2
    tail -n 20 "$(agent_log "$i")" >&2 || true
    echo "--- ${names[$i]}: its current job's log" >&2
    drover machines currentlog "${uuids[$i]}" >&2 || true
  fi
  echo "--- droverd log (last 20 lines)" >&2
  tail -n 20 "$work/droverd.log" >&2 || true
  exit 1
}

start_droverd() {
  "$build/server/droverd" --data-dir "$work/data" --listen 127.0.0.1:0 >"$work/droverd.log" 2>&1 &
  droverd_pid=$!
  for _ in $(seq 100); do grep -qs "listening on" "$work/droverd.log" && break; sleep 0.1; done
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/droverd.log")
  fingerprint=$(sed -n 's/.*TLS certificate SHA-256 fingerprint: \([0-9A-F:]*\).*/\1/p' "$work/droverd.log")
  if [ -z "$port" ] || [ -z "$fingerprint" ]; then fail "droverd did not start"; fi
  password=$(cat "$work/data/initial-admin-password")
  export RS_ENDPOINT=https://127.0.0.1:$port RS_SERVER_FINGERPRINT=$fingerprint
  # The demo's own many CLI calls use a token: one password login, not one scrypt check each.
  RS_TOKEN=$(RS_KEY=admin:$password drover users token admin --ttl 2h)
  export RS_TOKEN
  unset RS_KEY
  echo "== droverd $("$build/server/droverd" --version) on $RS_ENDPOINT (data in $work/data)"
  echo "   TLS: a self-signed certificate, SHA-256 $fingerprint"
  echo "   login: user admin, password $password (generated on first start)"
}

load_content() {
  echo
  echo "== content bundle $(sed -n 's/^Name: //p' "$content/meta.yaml") (packaging/demo-content)," \
    "uploaded with 'drover contents upload':"
  drover contents upload "$content" | jq -r '"   " + (.Counts | to_entries | map("\(.value) \(.key)") | join(", "))'
  echo "   workflow $workflow:"
  local stage
  for stage in $(drover workflows show "$workflow" | jq -r '.Stages[]'); do
    drover stages show "$stage" | jq -r '"     stage \(.Name) (bootenv \(.BootEnv)): \(.Tasks | join(", "))"'
  done
}

create_machines() {
  echo
  echo "== $machine_count machines in workflow $workflow, one 'drover agent --skip-power' each"
  local i
  for ((i = 1; i <= machine_count; i++)); do
    names[i]=$(printf 'node-%02d' "$i")
    uuids[i]=$(drover machines create "{\"Name\":\"${names[i]}\",\"Workflow\":\"$workflow\"}" | jq -r .Uuid)
    tokens[i]=$(drover machines token "${uuids[i]}" --ttl 2h)
    boots[i]=0
    mkdir -p "$work/agents/${names[i]}"
  done
}

# A machine's boot: its agent starts, with the machine's own token, and logs to boot-<n>.log.
boot() { # <machine index>
  boots[$1]=$((boots[$1] + 1))
  RS_TOKEN=${tokens[$1]} "$build/agent/drover" agent --machine "${uuids[$1]}" --skip-power \
    --state-dir "$work/agents/${names[$1]}" </dev/null >"$(agent_log "$1")" 2>&1 &
  agent_pids[$1]=$!
}

# Reboots every machine whose agent exited to reboot (printing why); fails on any other exit.
reap_agents() {
  local i rc log why
  for ((i = 1; i <= machine_count; i++)); do
    kill -0 "${agent_pids[i]}" 2>/dev/null && continue
    rc=0
    wait "${agent_pids[i]}" || rc=$?
    log=$(agent_log "$i")
    grep -q "would reboot now" "$log" || fail "the agent of ${names[i]} exited ($rc) without a reboot" "$i"
    why=$(sed -n 's/^agent: job [^ ]* (\(.*\)): finished\/reboot$/task \1 exited 64 (exit_reboot)/p' "$log")
    [ -n "$why" ] || why="bootenv changed to $(drover machines show "${uuids[i]}" | jq -r .BootEnv)"
    events+=("${names[i]}  reboots: $why")
    boot "$i"
  done
}

# The progress table: <machines JSON> <their current jobs JSON> <boots by Uuid JSON>.
progress_table() {
  jq -rn --argjson machines "$1" --argjson jobs "$2" --argjson boots "$3" '
    def table: (.[0] | length) as $n
      | (. as $rows | [range($n) | . as $c | $rows | map(.[$c] | length) | max]) as $w
      | .[] | [to_entries[] | .value + " " * ($w[.key] - (.value | length) + 2)] | join("")
      | sub(" +$"; "");
    ($jobs | map({key: .Machine, value: .}) | from_entries) as $current
    | [["MACHINE", "STAGE", "BOOTENV", "TASK", "STATE", "REBOOTS"]]
      + ($machines | sort_by(.Name) | map(. as $m
        | [.Tasks | to_entries[] | select(.value | contains(":") | not)] as $tasks
        | ($tasks | map(select(.key <= $m.CurrentTask)) | length) as $reached
        | ($current[.Uuid].State // "") as $job
        | (if .CurrentTask >= 0 then .Tasks[.CurrentTask] // "" else "" end) as $entry
        | [.Name, .Stage, .BootEnv, "\($reached)/\($tasks | length) \($entry)",
           (if .WorkflowComplete then "complete"
            elif .Runnable | not then "rebooting"
            elif $job == "" then "starting"
            else $job end),
           "\($boots[.Uuid] - 1)"]))
    | table'
}

index_of() { # <machine Uuid>
  local i
  for ((i = 1; i <= machine_count; i++)); do [ "${uuids[i]}" != "$1" ] || echo "$i"; done
}

# Boots every machine, then prints the table (in place on a terminal, at most once a second
# otherwise) and reboots machines until every workflow is complete.
watch_progress() {
  local machines jobs boots_json table last_table="" drawn=0 printed_ms=0 i failed incomplete
  local deadline_ms=$(($(now_ms) + timeout_s * 1000))
  echo
  for ((i = 1; i <= machine_count; i++)); do boot "$i"; done
  while :; do
    events=()
    reap_agents
    machines=$(drover machines list "Workflow=$workflow")
    jobs=$(drover jobs list Current=true)
    boots_json=$(for ((i = 1; i <= machine_count; i++)); do echo "\"${uuids[i]}\":${boots[i]}"; done | paste -sd, -)
    table=$(progress_table "$machines" "$jobs" "{$boots_json}")
    failed=$(jq -r 'map(select(.State == "failed"))[0].Machine // empty' <<<"$jobs")
    incomplete=$(jq -r 'map(select(.WorkflowComplete | not))[0].Uuid // empty' <<<"$machines")
    if [ ${#events[@]} -gt 0 ] || [ -n "$failed" ] || [ -z "$incomplete" ] ||
      { [ "$table" != "$last_table" ] && { $interactive || [ $(($(now_ms) - printed_ms)) -ge 1000 ]; }; }; then
      if $interactive && [ "$drawn" -gt 0 ]; then printf '\033[%dA\033[J' "$drawn"; fi
      [ ${#events[@]} -eq 0 ] || printf '%s\n' "${events[@]}"
      printf '%s\n' "after $(elapsed) s:" "$table"
      drawn=$(($(wc -l <<<"$table") + 1)) last_table=$table printed_ms=$(now_ms)
    fi
    [ -z "$failed" ] || fail "a job failed" "$(index_of "$failed")"
    [ -n "$incomplete" ] || break
    [ "$(now_ms)" -lt "$deadline_ms" ] ||
      fail "the workflows did not complete in $timeout_s s" "$(index_of "$incomplete")"
    sleep 0.2
  done
}

# One machine's jobs and a job log, as the CLI shows them.
show_one() {
  echo
  echo "== ${names[1]}'s jobs:  drover jobs list Machine=${uuids[1]} --sort StartTime -F table"
  drover jobs list "Machine=${uuids[1]}" --sort StartTime -F table | sed 's/^/   /'
  local job
  job=$(drover jobs list "Machine=${uuids[1]}" Task=image-deploy | jq -r '.[0].Uuid')
  echo "== the image-deploy job's log:  drover jobs log $job"
  drover jobs log "$job" | sed 's/^/   /'
}

how_to_look() {
  echo
  echo "== look in a browser while droverd runs: $RS_ENDPOINT/ui/  (user admin, password $password;"
  echo "   droverd's certificate is self-signed: its SHA-256 fingerprint is $RS_SERVER_FINGERPRINT)"
  echo
  echo "== look with the CLI, from another shell while droverd runs:"
  echo "   export PATH=$build/agent:\$PATH"
  echo "   export RS_ENDPOINT=$RS_ENDPOINT RS_SERVER_FINGERPRINT=$RS_SERVER_FINGERPRINT"
  echo "   export RS_KEY=admin:$password"
  echo "   drover machines list -F table"
  echo "   drover jobs list Machine=${uuids[1]} --sort StartTime -F table"
  echo "   drover jobs log <job Uuid>              # or: drover machines currentlog Name:${names[1]}"
  echo "   drover events watch 'machines.*.*'      # live events, one JSON line each"
  echo "   drover machines update Name:${names[2]} '{\"Workflow\":\"\"}' &&" \
    "drover machines workflow Name:${names[2]} $workflow   # again"
}

reboot_count() {
  local i n=0
  for ((i = 1; i <= machine_count; i++)); do n=$((n + boots[i] - 1)); done
  echo "$n"
}

start_droverd
load_content
create_machines
watch_progress
echo
echo "== all $machine_count workflows complete $(elapsed) s after the start, with $(reboot_count) reboots"
show_one
how_to_look
echo
if $interactive; then
  echo "droverd and the agents keep running; press Enter or Ctrl-C to stop them and delete $work"
  stopping=false
  trap 'stopping=true' INT
  while ! $stopping && ! read -r -t 0.5; do
    events=()
    reap_agents
    [ ${#events[@]} -eq 0 ] || printf '%s\n' "${events[@]}"
  done
else
  echo "Not on a terminal: droverd and the agents stop now and $work is deleted."
  echo "Run packaging/demo.sh from a terminal to keep them running."
fi
