#!/bin/bash
# run.sh - install.consumer: installs the build tree into a fresh prefix and
# builds two consumers of it, one with find_package(memscry CONFIG) and one
# with `pkg-config --cflags --libs memscry`, then runs them and the installed
# CLI and checks what they print.
#
# usage: run.sh CMAKE BUILD_DIR CONSUMER_SRC WORK_DIR LIBDIR CC PKG_CONFIG
#   LIBDIR is CMAKE_INSTALL_LIBDIR (relative to the prefix, or absolute).
# $MEMSCRY_CONSUMER_CFLAGS: extra compile and link flags for the consumers
# (-fsanitize=... when the library itself was built with sanitizers).
set -u
if [ $# -ne 7 ]; then
    echo "usage: $0 CMAKE BUILD_DIR CONSUMER_SRC WORK_DIR LIBDIR CC PKG_CONFIG" >&2
    exit 2
fi
CMAKE=$1 BUILD=$2 SRC=$3 WORK=$4 LIBDIR=$5 CC=$6 PKG_CONFIG=$7
XFLAGS=${MEMSCRY_CONSUMER_CFLAGS:-}

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
# Runs a command, showing its output only when it fails.
step() {
    local what=$1 out
    shift
    if ! out=$("$@" 2>&1); then
        printf '%s\n' "$out" >&2
        fail "$what"
    fi
    printf '%s\n' "$out"
}
# expect_eq WHAT GOT WANT
expect_eq() {
    if [ "$2" != "$3" ]; then
        printf -- '--- got:\n%s\n--- want:\n%s\n' "$2" "$3" >&2
        fail "$1"
    fi
    echo "ok: $1"
}

rm -rf "$WORK" || fail "cannot clean $WORK"
mkdir -p "$WORK" || fail "cannot create $WORK"
WORK=$(cd "$WORK" && pwd)
PREFIX=$WORK/prefix
case $LIBDIR in
/*) fail "CMAKE_INSTALL_LIBDIR is absolute ($LIBDIR): an install cannot be relocated with --prefix" ;;
esac
LIB=$PREFIX/$LIBDIR

# 1. Install into the fresh prefix.
step "cmake --install" "$CMAKE" --install "$BUILD" --prefix "$PREFIX" >/dev/null
for f in "$PREFIX/include/memscry/memscry.h" "$LIB/libmemscry.so" "$LIB/libmemscry.a" \
         "$LIB/pkgconfig/memscry.pc" "$LIB/cmake/memscry/memscryConfig.cmake" \
         "$LIB/cmake/memscry/memscryConfigVersion.cmake" "$PREFIX/bin/memscry"; do
    [ -e "$f" ] || fail "not installed: $f"
done
echo "ok: installed files"

# 2. A synthetic raw image: two pages, the last 4 bytes are "TAIL".
DUMP=$WORK/synthetic.raw
{ head -c 8188 /dev/zero; printf 'TAIL'; } >"$DUMP" || fail "cannot write $DUMP"
WANT="version 0.1.0
format raw
run 0x0+0x2000
tail TAIL holes 4"

# 3. CMake consumer: find_package(memscry CONFIG REQUIRED), memscry::memscry
#    and memscry::memscry_static. Only the fresh prefix is searched.
out=$(step "consumer configure" "$CMAKE" -S "$SRC" -B "$WORK/cmake-build" \
    -DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$XFLAGS" -DCMAKE_PREFIX_PATH="$PREFIX" \
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF) || exit 1
dir=$(printf '%s\n' "$out" | sed -n 's/^-- memscry_DIR=//p')
expect_eq "find_package found the fresh install" "$dir" "$LIB/cmake/memscry"
ver=$(printf '%s\n' "$out" | sed -n 's/^-- memscry_VERSION=//p')
expect_eq "package version" "$ver" "0.1.0"
step "consumer build" "$CMAKE" --build "$WORK/cmake-build" >/dev/null || exit 1

# 4. pkg-config consumer (the same main.c).
export PKG_CONFIG_PATH=$LIB/pkgconfig
expect_eq "pkg-config --modversion" "$("$PKG_CONFIG" --modversion memscry 2>&1)" "0.1.0"
flags=$(step "pkg-config --cflags --libs" "$PKG_CONFIG" --cflags --libs memscry) || exit 1
echo "pkg-config flags: $flags"
# The flags must name the fresh prefix (memscry.pc is relocatable).
incdir= libpath=
for f in $flags; do
    case $f in
    -I*) incdir=$(readlink -f "${f#-I}") ;;
    -L*) libpath=$(readlink -f "${f#-L}") ;;
    esac
done
expect_eq "pkg-config -I is the installed include dir" "$incdir" "$(readlink -f "$PREFIX/include")"
expect_eq "pkg-config -L is the installed lib dir" "$libpath" "$(readlink -f "$LIB")"
# shellcheck disable=SC2086 # the flags are words
step "pkg-config build" "$CC" $XFLAGS -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
    -Wmissing-prototypes -Wpedantic -Werror -o "$WORK/consumer-pc" "$SRC/main.c" $flags \
    >/dev/null || exit 1

# The installed header also compiles as C++ (extern "C"), when there is one.
if command -v c++ >/dev/null 2>&1; then
    printf '#include <memscry/memscry.h>\nint main() { return scry_version()[0] == 0; }\n' \
        >"$WORK/cxx.cpp"
    # shellcheck disable=SC2086
    step "the header as C++" c++ $XFLAGS -Wall -Wextra -Wpedantic -Werror -I"$PREFIX/include" \
        -o "$WORK/cxx" "$WORK/cxx.cpp" -L"$LIB" -lmemscry >/dev/null || exit 1
    LD_LIBRARY_PATH=$LIB "$WORK/cxx" || fail "the C++ consumer"
    echo "ok: the header compiles and links as C++"
fi

# 5. Run all three against the installed library only.
export LD_LIBRARY_PATH=$LIB
for exe in "$WORK/cmake-build/consumer" "$WORK/cmake-build/consumer_static" "$WORK/consumer-pc"; do
    got=$("$exe" "$DUMP" 2>&1)
    expect_eq "$(basename "$exe") output" "$got" "$WANT"
done
for exe in "$WORK/cmake-build/consumer" "$WORK/consumer-pc"; do
    so=$(ldd "$exe" | awk '$1 == "libmemscry.so.0" { print $3 }')
    expect_eq "$(basename "$exe") loads the installed libmemscry.so.0" "$(readlink -f "$so")" \
        "$(readlink -f "$LIB/libmemscry.so.0")"
done
if ldd "$WORK/cmake-build/consumer_static" | grep -q libmemscry; then
    fail "consumer_static is linked against the shared libmemscry"
fi
echo "ok: consumer_static has no libmemscry.so dependency"
# An error goes through the installed library too.
got=$("$WORK/consumer-pc" "$WORK/nonexistent.raw" 2>&1)
expect_eq "error path" "$got" "version 0.1.0
error 3 input/output error: $WORK/nonexistent.raw: No such file or directory"

# 6. The installed CLI finds its library by its RUNPATH, without help.
got=$(env -u LD_LIBRARY_PATH "$PREFIX/bin/memscry" --version 2>&1)
expect_eq "installed memscry --version" "$got" "memscry 0.1.0"
so=$(env -u LD_LIBRARY_PATH ldd "$PREFIX/bin/memscry" | awk '$1 == "libmemscry.so.0" { print $3 }')
expect_eq "installed CLI loads the installed library" "$(readlink -f "$so")" \
    "$(readlink -f "$LIB/libmemscry.so.0")"

echo "PASS install.consumer"
