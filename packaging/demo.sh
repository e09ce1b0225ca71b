#!/usr/bin/env bash
# The Quick start demo, after the build: starts droverd on a fresh embedded LMDB data dir, loads a
# small workflow over the v3 API, creates a machine in it, and shows what the server did (the
# workflow expanded into the machine's task list, the tasks rendered for it, one job cycle done by
# hand, then the real agent running the workflow across a (simulated) reboot, the event stream,
# and a template rendered offline).
# The first steps speak HTTP with plain bash (/dev/tcp) to show the wire; then the drover CLI and
# the machine agent take over.
set -euo pipefail
cd "$(dirname "$0")/.."

data_dir=$(mktemp -d /tmp/drover-demo-XXXXXX)
log=$data_dir.log
# Plain HTTP for /dev/tcp (droverd serves HTTPS by default and warns about this flag).
build/server/droverd --data-dir "$data_dir" --listen 127.0.0.1:0 --insecure-http >"$log" 2>&1 &
droverd_pid=$!
trap 'kill $droverd_pid 2>/dev/null; wait $droverd_pid 2>/dev/null; rm -rf "$data_dir" "$data_dir-agent" "$log"' EXIT
for _ in $(seq 50); do grep -q "listening on" "$log" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log")
[ -n "$port" ] || { cat "$log"; exit 1; }

# api METHOD PATH [BODY [CONTENT-TYPE [HEADER]]]: prints the response body (one request per
# connection).
api() {
  local body=${3:-} type=${4:-application/json} extra=${5:+$5$'\r\n'}
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf '%s %s HTTP/1.1\r\nHost: demo\r\nConnection: close\r\nContent-Type: %s\r\n%sContent-Length: %d\r\n\r\n%s' \
    "$1" "$2" "$type" "$extra" "${#body}" "$body" >&3
  sed '1,/^\r$/d' <&3
  exec 3<&-
  echo
}
# field NAME: the first "NAME":"value" of the JSON on stdin.
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

echo "== droverd $(build/server/droverd --version) on 127.0.0.1:$port, data in $data_dir =="
api GET /healthz
echo
echo "== content: a template, two tasks, two stages (one with a bootenv), a workflow =="
api POST /api/v3/templates '{"ID":"hello.tmpl","Contents":"#!/bin/sh\necho hello from {{.Machine.Name}} in {{.Param \"site\"}}\n"}' >/dev/null
api POST /api/v3/tasks '{"Name":"hello","Templates":[{"Name":"say-hello","ID":"hello.tmpl"}],"RequiredParams":["site"]}' >/dev/null
api POST /api/v3/tasks '{"Name":"inventory","Prerequisites":["hello"],"Templates":[{"Name":"run","Contents":"#!/bin/sh\nuname -a\n"}]}' >/dev/null
api POST /api/v3/bootenvs '{"Name":"sledgehammer","Kernel":"vmlinuz","Initrds":["initrd"]}' >/dev/null
api POST /api/v3/stages '{"Name":"discover","BootEnv":"sledgehammer","Tasks":["inventory"]}' >/dev/null
api POST /api/v3/stages '{"Name":"finish","BootEnv":"local","Tasks":["hello"]}' >/dev/null
api POST /api/v3/workflows '{"Name":"bring-up","Stages":["discover","finish"]}'
echo
echo "== a profile with a param, and a machine in the workflow =="
api POST /api/v3/profiles '{"Name":"lab","Params":{"site":"rack-12"}}' >/dev/null
api POST /api/v3/machines '{"Name":"node-01.example.com","Profiles":["lab"],"Workflow":"bring-up"}'
echo
echo "== the machine's aggregated params (spec 8 precedence) =="
api GET '/api/v3/machines/Name:node-01.example.com/params?aggregate=true'
echo
echo "== a list query: machines in stage discover =="
api GET '/api/v3/machines?Stage=discover&sort=Name'
echo
echo "== what the machine will run: every task left, rendered without running anything =="
api GET '/api/v3/machines/Name:node-01.example.com/render?all=true'
echo
echo "== one job cycle, as the agent does it (POST /jobs, running, actions, log, finished) =="
uuid=$(api GET '/api/v3/machines/Name:node-01.example.com' | field Uuid)
job=$(api POST /api/v3/jobs "{\"Machine\":\"$uuid\"}" application/json 'Idempotency-Key: demo-1')
again=$(api POST /api/v3/jobs "{\"Machine\":\"$uuid\"}" application/json 'Idempotency-Key: demo-1')
job_id=$(echo "$job" | field Uuid)
echo "POST /jobs -> job $job_id for task $(echo "$job" | field Task) (state $(echo "$job" | field State))"
echo "the same Idempotency-Key again -> job $(echo "$again" | field Uuid) (no second job)"
api PATCH "/api/v3/jobs/$job_id" '[{"op":"test","path":"/State","value":"created"},{"op":"replace","path":"/State","value":"running"}]' >/dev/null
api GET "/api/v3/jobs/$job_id/actions"
api PUT "/api/v3/jobs/$job_id/log" $'hello from node-01.example.com in rack-12\n' application/octet-stream
api PATCH "/api/v3/jobs/$job_id" '[{"op":"test","path":"/State","value":"running"},{"op":"replace","path":"/State","value":"finished"},{"op":"replace","path":"/ExitState","value":"complete"}]' |
  sed 's/.*"EndTime":"\([^"]*\)".*"State":"\([a-z]*\)".*/job ended \1, state \2/'
echo "the job log:"
api GET "/api/v3/jobs/$job_id/log"
drover() { build/agent/drover -E "http://127.0.0.1:$port" "$@"; }
agent_state=$data_dir-agent
echo "== the machine agent runs the rest: inventory, then the workflow reaches bootenv local =="
echo "   (drover agent --oneshot --skip-power: it exits where a real machine would reboot)"
drover agent --machine "$uuid" --oneshot --skip-power --state-dir "$agent_state" 2>&1 | sed 's/^/   /'
echo
echo "== the jobs so far (drover jobs list Machine=<uuid> -F table) =="
drover jobs list "Machine=$uuid" --sort StartTime -F table
echo
echo "== after the reboot: Runnable=true and CurrentTask=-1 (reset-workflow), and the agent again =="
drover machines update "$uuid" '{"Runnable":true,"CurrentTask":-1}' >/dev/null
drover agent --machine "$uuid" --oneshot --skip-power --state-dir "$agent_state" 2>&1 | sed 's/^/   /'
drover machines show "$uuid" -F yaml | grep -E '^(Stage|BootEnv|CurrentTask|WorkflowComplete):'
echo
echo "== every create so far, replayed from the event log (GET /api/v3/events?since=0) =="
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /api/v3/events?filter=*.create.*&since=0 HTTP/1.1\r\nHost: demo\r\n\r\n' >&3
# Each event is one `id:` line and one `data:` line with the Event JSON; shown as type.action.key.
timeout 2 grep -m 18 '^data: ' <&3 |
  sed -n 's/^data: {"Action":"\([a-z]*\)","Key":"\([^"]*\)".*"Type":"\([a-z]*\)"}$/  \3.\1.\2/p' || true
exec 3<&-
echo
echo "== the task template rendered offline (drover template render) =="
echo '{"templates":{"main":"{{.Machine.Name}} is in {{.Param \"site\"}}; {{ if .ParamExists \"ntp\" }}ntp set{{ else }}no ntp{{ end }}"},"main":"main","machine":{"Name":"node-01.example.com"},"params":{"site":"rack-12"}}' |
  build/agent/drover template render
echo
echo
echo "Done. droverd stops now; run it yourself with:  build/server/droverd --data-dir /tmp/drover-data --listen 127.0.0.1:8092"
