//! The `schemaplan` binary: parses arguments, runs the command, maps the outcome to an
//! exit code (0 success, 1 differences or pending work found, 2 error).

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    schemaplan::cli::main()
}
