//! A throwaway PostgreSQL cluster: the dev server of last resort.
//!
//! When schema files must be loaded and no server is configured (`--dev-url`,
//! `SCHEMAPLAN_DEV_URL`, a database being compared, `DATABASE_URL`), schemaplan starts
//! one from the local PostgreSQL binaries: `initdb` into a temporary directory, `pg_ctl
//! start` listening only on a unix socket in that directory, trust authentication. It is
//! stopped and removed when the command ends (also on error or Ctrl-C). As root, it
//! runs as the `postgres` user, since PostgreSQL refuses to run as root.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use crate::connect::DbUrl;
use crate::error::{Error, Result};

/// A running throwaway cluster.
pub struct LocalCluster {
    dir: PathBuf,
    bin: PathBuf,
    run_as: Option<String>,
    url: DbUrl,
}

/// The clusters this process started and has not stopped, for Ctrl-C.
static RUNNING: Mutex<Vec<(PathBuf, PathBuf, Option<String>)>> = Mutex::new(Vec::new());

/// Set once the process is cleaning up: a start still under way gives up rather than
/// leave a server running that nobody will stop.
static STOPPING: AtomicBool = AtomicBool::new(false);

fn interrupted() -> Error {
    Error::Unsupported {
        what: "starting a throwaway cluster while shutting down".into(),
    }
}

impl LocalCluster {
    /// Starts a cluster from the highest PostgreSQL version installed.
    pub fn start() -> Result<LocalCluster> {
        let bin = find_binaries().ok_or_else(|| Error::Unsupported {
            what: "loading schema files without a dev database when no PostgreSQL binaries \
                   (initdb, pg_ctl) are installed; pass --dev-url URL or set SCHEMAPLAN_DEV_URL"
                .into(),
        })?;
        let run_as = running_as_root().then(|| "postgres".to_string());
        let dir =
            std::env::temp_dir().join(format!("schemaplan-pg-{:016x}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        if let Some(user) = &run_as {
            chown(&dir, user)?;
        }
        let data = dir.join("data");
        let port = 5432u16;
        let cluster = LocalCluster {
            url: DbUrl::parse(&format!(
                "postgres://postgres@/postgres?host={}&port={port}&sslmode=disable",
                dir.display()
            ))?,
            dir: dir.clone(),
            bin: bin.clone(),
            run_as: run_as.clone(),
        };
        if let Ok(mut running) = RUNNING.lock() {
            running.push((dir.clone(), bin.clone(), run_as.clone()));
        }
        let initdb = cluster.run(
            "initdb",
            &[
                "-D",
                &data.display().to_string(),
                "--auth=trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        );
        if let Err(e) = initdb {
            cluster.stop();
            return Err(e);
        }
        if STOPPING.load(Ordering::SeqCst) {
            cluster.stop();
            return Err(interrupted());
        }
        let options = format!(
            "-c listen_addresses='' -c port={port} -c unix_socket_directories='{}' \
             -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            dir.display()
        );
        let started = cluster.run(
            "pg_ctl",
            &[
                "-D",
                &data.display().to_string(),
                "-o",
                &options,
                "-l",
                &dir.join("log").display().to_string(),
                "-w",
                "start",
            ],
        );
        if let Err(e) = started {
            let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
            cluster.stop();
            return Err(Error::Unsupported {
                what: format!("a throwaway PostgreSQL cluster ({e}): {}", log.trim()),
            });
        }
        if STOPPING.load(Ordering::SeqCst) {
            cluster.stop();
            return Err(interrupted());
        }
        if let Ok(mut t) = THROWAWAY.lock() {
            t.push(cluster.url.redacted());
        }
        Ok(cluster)
    }

    /// The URL of the cluster's `postgres` database.
    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    /// The directory with the binaries used.
    pub fn bin(&self) -> &Path {
        &self.bin
    }

    fn run(&self, tool: &str, args: &[&str]) -> Result<()> {
        run_tool(&self.bin, self.run_as.as_deref(), tool, args)
    }

    /// Stops the cluster and removes its directory.
    pub fn stop(self) {
        stop(&self.dir, &self.bin, self.run_as.as_deref());
        if let Ok(mut t) = THROWAWAY.lock() {
            t.retain(|u| *u != self.url.redacted());
        }
        if let Ok(mut running) = RUNNING.lock() {
            running.retain(|(d, _, _)| d != &self.dir);
        }
    }
}

/// The maintenance URLs (password left out) of the clusters this process started.
static THROWAWAY: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Whether `server` is a throwaway cluster this process started (where schemaplan may
/// create the roles a schema names).
pub fn is_throwaway(server: &DbUrl) -> bool {
    THROWAWAY
        .lock()
        .is_ok_and(|t| t.contains(&server.redacted()))
}

/// Stops every cluster this process started (for Ctrl-C and error paths).
pub fn stop_all() {
    STOPPING.store(true, Ordering::SeqCst);
    let all = RUNNING
        .lock()
        .map(|mut r| std::mem::take(&mut *r))
        .unwrap_or_default();
    for (dir, bin, run_as) in all {
        stop(&dir, &bin, run_as.as_deref());
    }
}

fn stop(dir: &Path, bin: &Path, run_as: Option<&str>) {
    let data = dir.join("data");
    if data.join("postmaster.pid").exists() {
        let _ = run_tool(
            bin,
            run_as,
            "pg_ctl",
            &[
                "-D",
                &data.display().to_string(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

fn run_tool(bin: &Path, run_as: Option<&str>, tool: &str, args: &[&str]) -> Result<()> {
    let exe = bin.join(tool);
    let mut cmd = match run_as {
        Some(user) => {
            let mut c = Command::new("runuser");
            c.args(["-u", user, "--"]).arg(&exe);
            c
        }
        None => Command::new(&exe),
    };
    cmd.args(args);
    let out = cmd.output().map_err(|e| Error::io(&exe, e))?;
    if out.status.success() {
        return Ok(());
    }
    Err(Error::Unsupported {
        what: format!(
            "{} failed: {}",
            exe.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ),
    })
}

/// The directory holding `initdb` and `pg_ctl`: PATH first, then the highest version
/// under /usr/lib/postgresql.
fn find_binaries() -> Option<PathBuf> {
    if let Some(paths) = std::env::var_os("PATH") {
        for p in std::env::split_paths(&paths) {
            if p.join("initdb").is_file() && p.join("pg_ctl").is_file() {
                // Debian links only some tools into PATH; resolve to the real directory.
                let real = std::fs::canonicalize(p.join("initdb")).ok()?;
                return real.parent().map(Path::to_path_buf);
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, b)| b)
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn chown(dir: &Path, user: &str) -> Result<()> {
    let out = Command::new("chown")
        .arg(user)
        .arg(dir)
        .output()
        .map_err(|e| Error::io(dir, e))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(Error::Unsupported {
            what: format!(
                "running a throwaway PostgreSQL as root without a `{user}` user ({})",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        })
    }
}
