// Every subcommand's entry point. Each takes argv with argv[0] set to the tool's name (so
// messages read "modinfo: ERROR: ..." whether it was called as `ringside modinfo` or through
// a symlink named modinfo) and returns the process exit status.
#pragma once

namespace ringside::cli {

int cmd_modinfo(int argc, char** argv);
int cmd_depmod(int argc, char** argv);
int cmd_modprobe(int argc, char** argv);
int cmd_insmod(int argc, char** argv);
int cmd_rmmod(int argc, char** argv);
int cmd_lsmod(int argc, char** argv);
int cmd_module(int argc, char** argv);
int cmd_pmap(int argc, char** argv);
int cmd_mem(int argc, char** argv);
int cmd_shared(int argc, char** argv);
int cmd_check(int argc, char** argv);
int cmd_leaks(int argc, char** argv);
int cmd_ring(int argc, char** argv);
int cmd_install(int argc, char** argv);

}  // namespace ringside::cli
