# Shared by the set-up scripts (sourced): install Debian packages when they are missing.
# We are root on the project's machines; sudo is used only if it is there and needed.

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else return 1
  fi
}

apt_install() {  # apt_install PACKAGE... — quiet; non-zero when apt-get is absent or fails
  command -v apt-get >/dev/null 2>&1 || return 1
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
