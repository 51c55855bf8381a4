# Sourced by scripts/test and scripts/demo: install the Debian packages the
# build (minpriv_install_deps build: what scripts/demo needs) or the build
# and the tests (minpriv_install_deps, the default) need, if they are
# missing. Needs root or sudo. Shows what it installs and apt's progress,
# and waits for the apt lock (another apt or unattended-upgrades) instead
# of failing. MINPRIV_DEPS_EXTRA adds packages (e.g. for the ecosystem
# tests).

# What building minpriv (without its tests) and running the demo need.
minpriv_build_packages="build-essential cmake pkg-config libseccomp-dev libjansson-dev libunwind-dev
  libapparmor-dev libbpf-dev clang python3"

minpriv_packages="build-essential cmake pkg-config gcc-multilib git
  libseccomp-dev libjansson-dev libunwind-dev libcmocka-dev libapparmor-dev libbpf-dev
  strace python3 python3-yaml podman runc crun apparmor clang libclang-rt-14-dev clang-format valgrind iproute2 file man-db
  chromium ${MINPRIV_DEPS_EXTRA:-}"
minpriv_packages="$minpriv_packages user-mode-linux"   # AppArmor enforced in a UML guest (tests/integration/uml.py)
minpriv_packages="$minpriv_packages nginx-light curl apache2-utils postgresql redis-server redis-tools"   # server workloads (samples/workloads)
minpriv_packages="$minpriv_packages libpython3.11-testsuite"   # stability test: a Python standard-library test subset (tests/integration/test_stability.py)
minpriv_packages="$minpriv_packages docker-compose"   # test_compose.py runs hardening.md's compose snippet (the Docker Engine itself comes with the machine)
minpriv_packages="$minpriv_packages lintian"   # test_install.py runs lintian on the .deb
minpriv_packages="$minpriv_packages musl-tools"   # generate --portable test: a sample built against musl

minpriv_install_deps() { # [build|test]
        if [ "${1:-test}" = build ]; then
                wanted=$minpriv_build_packages
        else
                wanted=$minpriv_packages
        fi
        missing=""
        for p in $wanted; do
                # multiarch packages report their status with the arch suffix too
                if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "ok installed"; then
                        missing="$missing $p"
                fi
        done
        [ -z "$missing" ] && return 0
        echo "minpriv: installing the missing packages:$missing" >&2
        echo "minpriv: (this downloads them from Debian; apt's progress follows)" >&2
        if [ "$(id -u)" -eq 0 ]; then
                SUDO=""
        elif command -v sudo >/dev/null 2>&1; then
                SUDO="sudo"
        else
                echo "minpriv: need root or sudo to install:$missing" >&2
                return 1
        fi
        export DEBIAN_FRONTEND=noninteractive
        # Wait up to 15 minutes for the dpkg/apt locks rather than fail.
        lock="-o DPkg::Lock::Timeout=900"
        echo "minpriv: apt-get update (waits for the apt lock if another apt holds it)" >&2
        # shellcheck disable=SC2086
        $SUDO apt-get $lock update -q || {
                echo "minpriv: apt-get update failed; install by hand:$missing" >&2
                return 1
        }
        echo "minpriv: apt-get install$missing" >&2
        # shellcheck disable=SC2086
        $SUDO apt-get $lock install -y -q --no-install-recommends $missing || {
                echo "minpriv: apt-get install failed; install by hand:$missing" >&2
                return 1
        }
        echo "minpriv: packages installed" >&2
}

minpriv_jobs() {
        nproc 2>/dev/null || echo 2
}
