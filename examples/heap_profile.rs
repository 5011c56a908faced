//! The `schemaplan` binary on the system allocator, for heap profilers that hook
//! `malloc` (heaptrack, valgrind's massif/dhat): the real binary's mimalloc bypasses them.
//!
//! ```sh
//! cargo build --release --example heap_profile
//! heaptrack target/release/examples/heap_profile diff --from URL_A --to URL_B
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    schemaplan::cli::main()
}
