#!/usr/bin/env bash
# A tour of drover's features, one at a time (packaging/demo.sh is the Quick start's demo of the
# main job): droverd on a fresh data dir serving HTTPS with the self-signed certificate it makes
# on first start, a real login (the admin password droverd generates), content and a machine made
# with the drover CLI (pinning droverd's certificate), the machine agent running the workflow with
# the machine's own token across a simulated reboot, the jobs and a job log, what a wrong password
# and a machine token may not do, live events, and a task template rendered offline.
# Usage: packaging/tour.sh [--build-dir DIR]   (the binaries' build dir, default ./build)
set -euo pipefail
build=
case "$#:${1:-}" in
  0:) ;;
  2:--build-dir) build=$(cd "$2" && pwd) ;;
  *) echo "usage: packaging/tour.sh [--build-dir DIR]" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
build=${build:-$PWD/build}

data_dir=$(mktemp -d /tmp/drover-tour-XXXXXX)
log=$data_dir.log
"$build/server/droverd" --data-dir "$data_dir" --listen 127.0.0.1:0 >"$log" 2>&1 &
droverd_pid=$!
cleanup() {
  kill $droverd_pid 2>/dev/null || true
  wait $droverd_pid 2>/dev/null || true
  rm -rf "$data_dir" "$data_dir-agent" "$log" "$data_dir.events"
}
trap cleanup EXIT
for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log")
fingerprint=$(sed -n 's/.*TLS certificate SHA-256 fingerprint: \([0-9A-F:]*\).*/\1/p' "$log")
[ -n "$port" ] && [ -n "$fingerprint" ] || { cat "$log"; exit 1; }
password=$(cat "$data_dir/initial-admin-password")

# Every CLI call pins droverd's certificate and logs in as admin.
export RS_ENDPOINT=https://127.0.0.1:$port RS_SERVER_FINGERPRINT=$fingerprint
export RS_KEY=admin:$password
drover() { "$build/agent/drover" "$@"; }

echo "== droverd $("$build/server/droverd" --version) on $RS_ENDPOINT =="
echo "   certificate SHA-256 $fingerprint (self-signed, in $data_dir/tls)"
echo "   first start created user admin; its password is in $data_dir/initial-admin-password"
echo
echo "== content: a template, two tasks (one needs the other), a bootenv, two stages, a workflow =="
drover templates create '{"ID":"hello.tmpl","Contents":"#!/bin/sh\necho hello from {{.Machine.Name}} in {{.Param \"site\"}}\n"}' >/dev/null
drover tasks create '{"Name":"hello","Templates":[{"Name":"say-hello","ID":"hello.tmpl"}],"RequiredParams":["site"]}' >/dev/null
drover tasks create '{"Name":"inventory","Prerequisites":["hello"],"Templates":[{"Name":"run","Contents":"#!/bin/sh\nuname -sr\n"}]}' >/dev/null
drover bootenvs create '{"Name":"sledgehammer","Kernel":"vmlinuz","Initrds":["initrd"]}' >/dev/null
drover stages create '{"Name":"discover","BootEnv":"sledgehammer","Tasks":["inventory"]}' >/dev/null
drover stages create '{"Name":"finish","BootEnv":"local","Tasks":["hello"]}' >/dev/null
drover workflows create '{"Name":"bring-up","Stages":["discover","finish"]}' -F yaml | grep -A2 -E '^(Name|Stages):'
echo
drover events watch 'jobs.create.*' --count 5 >"$data_dir.events" 2>/dev/null &
watcher=$!
echo "== a profile with a param, and a machine in the workflow: its expanded task list =="
drover profiles create '{"Name":"lab","Params":{"site":"rack-12"}}' >/dev/null
uuid=$(drover machines create '{"Name":"node-01.example.com","Profiles":["lab"],"Workflow":"bring-up"}' | sed -n 's/^  "Uuid": "\(.*\)",$/\1/p')
drover machines show "$uuid" -F yaml | sed -n '/^Tasks:/,/^[A-Z]/p' | sed '$d'
echo
echo "== its params, aggregated by precedence (machine, profiles, stage, global) =="
drover machines params "$uuid" --aggregate
echo
echo "== the agent runs with the machine's own token: inventory (after hello), then the workflow"
echo "   reaches bootenv local (drover agent --oneshot --skip-power exits where a machine reboots) =="
machine_token=$(drover machines token "$uuid" --ttl 1h)
agent() { RS_KEY='' drover -T "$machine_token" agent --machine "$uuid" --oneshot --skip-power --state-dir "$data_dir-agent" 2>&1 | sed 's/^/   /'; }
agent
echo
echo "== after the reboot: Runnable=true and CurrentTask=-1 (reset-workflow), and the agent again =="
drover machines update "$uuid" '{"Runnable":true,"CurrentTask":-1}' >/dev/null
agent
drover machines show "$uuid" -F yaml | grep -E '^(Stage|BootEnv|CurrentTask|WorkflowComplete):'
echo
echo "== the jobs (drover jobs list Machine=<uuid> -F table), and the last one's log =="
drover jobs list "Machine=$uuid" --sort StartTime -F table
last=$(drover jobs list "Machine=$uuid" --sort StartTime | sed -n 's/^    "Uuid": "\(.*\)",*$/\1/p' | tail -1)
drover jobs log "$last"
echo
echo "== job creations seen live by 'drover events watch jobs.create.*' =="
for _ in $(seq 50); do kill -0 $watcher 2>/dev/null || break; sleep 0.1; done
kill $watcher 2>/dev/null || true
wait $watcher 2>/dev/null || true
sed -n 's/.*"Key":"\([^"]*\)".*"Task":"\([^"]*\)".*/   jobs.create \1 (\2)/p' "$data_dir.events"
echo
echo "== what is refused =="
echo -n "   a wrong password:               "; RS_KEY=admin:wrong drover profiles list 2>&1 | head -1 || true
echo -n "   the machine token reading users: "; RS_KEY='' drover -T "$machine_token" users token admin 2>&1 | head -1 || true
echo
echo "== a task template rendered offline (drover template render) =="
echo '{"templates":{"main":"{{.Machine.Name}} is in {{.Param \"site\"}}; {{ if .ParamExists \"ntp\" }}ntp set{{ else }}no ntp{{ end }}"},"main":"main","machine":{"Name":"node-01.example.com"},"params":{"site":"rack-12"}}' |
  "$build/agent/drover" template render
echo
echo
echo "Done. droverd stops now; run it yourself with:  build/server/droverd --data-dir /tmp/drover-data"
