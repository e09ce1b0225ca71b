#include "agent/runner/helper_script.hpp"

namespace drover::agent {

namespace {

// Everything after the `__drover=` line. Kept as one raw string so it reads as the shell it is.
constexpr std::string_view kLibrary = R"HELPER(
export DEBIAN_FRONTEND=noninteractive LC_ALL=C LANGUAGE=C LANG=C
export PS4='${BASH_SOURCE}@${LINENO}(${FUNCNAME[0]}): '
set -o pipefail -o errexit
shopt -s nullglob extglob globstar

for __dir in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
    [[ ":${PATH:-}:" == *":$__dir:"* ]] || PATH="${PATH:+$PATH:}$__dir"
done
unset __dir
export PATH

# OS_TYPE (os-release ID), OS_VER (VERSION_ID), OS_NAME (type-version) and OS_FAMILY (the
# package world: debian, rhel, suse, or the ID itself). Read in a subshell so os-release's own
# variables (NAME, VERSION, ...) do not leak into the task.
# Written to survive a caller's `set -u` too.
if [[ -r /etc/os-release ]]; then
    { read -r OS_TYPE; read -r OS_VER; read -r __like; } < <(
        . /etc/os-release; echo "${ID:-}"; echo "${VERSION_ID:-}"; echo "${ID_LIKE:-}")
else
    OS_TYPE=$(uname -s) OS_VER=$(uname -r) __like=
fi
OS_TYPE=${OS_TYPE,,} OS_VER=${OS_VER,,} __like=${__like,,}
OS_NAME="$OS_TYPE-$OS_VER"
case " $OS_TYPE $__like " in
    *" debian "*|*" ubuntu "*) OS_FAMILY=debian;;
    *" rhel "*|*" centos "*|*" fedora "*|*" redhat "*|*" rocky "*|*" almalinux "*) OS_FAMILY=rhel;;
    *" suse "*|*" sles "*|*" opensuse "*) OS_FAMILY=suse;;
    *) OS_FAMILY=$OS_TYPE;;
esac
unset __like
export OS_TYPE OS_VER OS_NAME OS_FAMILY

# spec 2.5: the marker that makes the runner read this task's exit codes with the sane table.
__sane_exit() {
    touch "$RS_TASK_DIR/.sane-exit-codes"
}

__exit() {
    __sane_exit
    exit "$1"
}

exit_incomplete() { __exit 128; }
exit_reboot() { __exit 64; }
exit_shutdown() { __exit 32; }
exit_stop() { __exit 16; }
exit_incomplete_reboot() { __exit 192; }
exit_incomplete_shutdown() { __exit 160; }

get_param() {
    "$__drover" machines get "$RS_UUID" param "$1" --aggregate
}

# set_param <name> [value]: without a value the JSON value is read from stdin.
set_param() {
    if (( $# >= 2 )); then
        "$__drover" machines set "$RS_UUID" param "$1" to "$2"
    else
        "$__drover" machines set "$RS_UUID" param "$1" to -
    fi
}

install() {
    case $OS_FAMILY in
        debian) apt-get -y install "$@";;
        rhel)
            if command -v dnf >/dev/null 2>&1; then
                dnf -y install "$@"
            else
                yum -y install "$@"
            fi;;
        suse) zypper -n install "$@";;
        *) echo "install: no package manager known for OS family '$OS_FAMILY'" >&2; return 1;;
    esac
}

__sane_exit
)HELPER";

// `text` as one bash word, single-quoted.
std::string shell_quote(std::string_view text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

}  // namespace

std::string helper_script(std::string_view drover_path) {
    return "# drover task helper library: source it, do not run it.\n__drover=" +
           shell_quote(drover_path) + "\n" + std::string(kLibrary);
}

}  // namespace drover::agent
