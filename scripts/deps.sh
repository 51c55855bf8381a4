# Sourced by scripts/test and scripts/demo: install the Debian packages the
# build and the tests need, if they are missing. Needs root or sudo.
# MINPRIV_DEPS_EXTRA adds packages (e.g. for the ecosystem tests).

minpriv_packages="build-essential cmake pkg-config gcc-multilib git
  libseccomp-dev libjansson-dev libunwind-dev libcmocka-dev libapparmor-dev
  strace python3 python3-yaml podman runc crun apparmor clang libclang-rt-14-dev clang-format valgrind iproute2 file man-db
  chromium ${MINPRIV_DEPS_EXTRA:-}"
minpriv_packages="$minpriv_packages docker-compose"   # test_compose.py runs hardening.md's compose snippet (the Docker Engine itself comes with the machine)
minpriv_packages="$minpriv_packages lintian"   # test_install.py runs lintian on the .deb

minpriv_install_deps() {
        missing=""
        for p in $minpriv_packages; do
                # multiarch packages report their status with the arch suffix too
                if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "ok installed"; then
                        missing="$missing $p"
                fi
        done
        [ -z "$missing" ] && return 0
        echo "minpriv: installing missing packages:$missing" >&2
        if [ "$(id -u)" -eq 0 ]; then
                SUDO=""
        elif command -v sudo >/dev/null 2>&1; then
                SUDO="sudo"
        else
                echo "minpriv: need root or sudo to install:$missing" >&2
                return 1
        fi
        export DEBIAN_FRONTEND=noninteractive
        $SUDO apt-get update -q >/dev/null
        # shellcheck disable=SC2086
        $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
}

minpriv_jobs() {
        nproc 2>/dev/null || echo 2
}
