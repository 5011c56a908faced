//! The `schemaplan` binary: parses arguments, runs the command, maps the outcome to an
//! exit code (0 success, 1 differences or pending work found, 2 error).

use std::os::raw::{c_int, c_long};
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

extern "C" {
    /// mimalloc's `mi_option_set` (in the C library the `mimalloc` crate links, whose
    /// Rust binding sits behind a feature this binary does not need otherwise).
    fn mi_option_set(option: c_int, value: c_long);
}

/// `mi_option_purge_delay` in mimalloc 2's `mi_option_e`: milliseconds before freed
/// pages go back to the system.
const MI_OPTION_PURGE_DELAY: c_int = 15;

fn main() -> ExitCode {
    // For `diff` and `inspect`, freed pages go back to the system at once rather than
    // 10 ms later (mimalloc's default). Introspection frees a database's decoded
    // catalog rows in bulk while it builds the catalog from them, and a diff reads two
    // databases at once: with the delay, what was freed stayed resident beside what
    // replaced it (a 5,000-table diff peaked at 175 MiB instead of 120 MiB), for about
    // 0.1 s more system time. Not for the other commands: offline `plan` of 50,000
    // tables frees parse trees all along and spent 3 s more in the kernel purging.
    // A stray argument spelled `diff` only changes this allocator setting.
    if std::env::args_os()
        .skip(1)
        .any(|a| a == "diff" || a == "inspect")
    {
        // SAFETY: mi_option_set stores an integer in mimalloc's option table; the
        // option is one mimalloc 2 reads on every purge, and nothing else runs yet.
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
    schemaplan::cli::main()
}
