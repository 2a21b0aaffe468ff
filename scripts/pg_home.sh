# Sourced by the cluster scripts (which set $root, the checkout): where this
# checkout's clusters live, and how to run PostgreSQL's server tools.
# shellcheck shell=bash

# PostgreSQL refuses to run as root: its server tools run as the postgres OS
# user, from / so that a checkout it cannot enter is not its working directory.
as_pg() {
    if [[ $(id -u) -eq 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# Prints (and creates) the directory that holds the clusters of this checkout:
# .pgdata/ itself when not root (the server runs as this user) or for a cluster
# an earlier version of these scripts made there; as root, a postgres-owned
# directory outside the checkout, named after it and a hash of its full path
# so two clones called the same never share one.
# Usage: cluster_home NAME
cluster_home() {
    local name=$1
    mkdir -p "$root/.pgdata"
    if [[ $(id -u) -ne 0 ]] || [[ -d "$root/.pgdata/$name" && ! -L "$root/.pgdata/$name" ]]; then
        echo "$root/.pgdata"
        return
    fi
    local pgdata_root=${PGDATA_ROOT:-/var/lib/postgresql/baskets-clusters} slug
    slug="$(printf '%s' "$(basename "$root")" | tr -c 'A-Za-z0-9_.-' '_')-$(printf '%s' "$root" | sha1sum | cut -c1-10)"
    install -d -o postgres -g postgres -m 0755 "$pgdata_root"
    install -d -o postgres -g postgres -m 0700 "$pgdata_root/$slug"
    echo "$root" >"$pgdata_root/$slug/checkout"
    echo "$pgdata_root/$slug" >"$root/.pgdata/home"
    echo "$pgdata_root/$slug"
}
