/// piapi is built for Linux with glibc only: the table watcher is inotify, file and socket I/O
/// call Glibc by name, and CI, the benchmarks and the container are all Linux. Saying so here
/// gives a macOS build one clear line instead of a wall of missing-module errors; on a Mac, use
/// the container (README "Platforms").
#if !os(Linux)
#error("piapi builds on Linux (glibc) only; on macOS use the container image, see README \"Platforms\"")
#endif
