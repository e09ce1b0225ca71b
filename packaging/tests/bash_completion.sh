#!/usr/bin/env bash
# packaging_bash_completion: the bash completion, sourced as bash-completion would, completes
# commands, subcommands, options and option choices from the built binary's --help.
# Usage: bash_completion.sh <completion script> <drover binary>
set -uo pipefail
script=$1 drover=$2
source "$script"

# Outside readline compopt fails; record what the completion asked of it instead.
compopt() { fallback="$*"; }

failures=0
# expect "<expected COMPREPLY, space separated>" word...   (the last word is the cursor's)
expect() {
    local want=$1
    shift
    COMP_WORDS=("$drover" "$@")
    COMP_CWORD=$#
    COMPREPLY=()
    fallback=""
    _drover
    local got="${COMPREPLY[*]}"
    [ -z "$got" ] && [ -n "$fallback" ] && got="<$fallback>"
    if [ "$got" != "$want" ]; then
        echo "FAIL: drover $* -> '$got', expected '$want'"
        failures=$((failures + 1))
    fi
}

expect "machines" mach
expect "template templates" templat
expect "show" machines sh
expect "params" -E https://x:8092 machines para   # -E's value is skipped, not a command
expect "--aggregate" machines params --ag
expect "--endpoint" --endp
expect "json yaml table text" -F ''
expect "yaml" --format y
expect "<-o default>" --ca-cert ''                  # a file name
expect "<-o default>" machines show ''               # a positional id: file names
expect "--oneshot" agent --one

echo "bash completion: $failures failed"
[ "$failures" -eq 0 ]
