# Guest side of boot-smoke: the console path works.
ok "smoke $(uname -r) $(grep -c ^processor /proc/cpuinfo) vcpu $(awk '/MemTotal/ { print $2 }' /proc/meminfo) kB"
