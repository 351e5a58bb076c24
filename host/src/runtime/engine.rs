//! The wasmtime engine and the compiled component. Compiling takes most of a cold start, so the
//! compiled artifact is cached on disk, keyed by the component's bytes and the engine's
//! compatibility hash (a different wasmtime or different settings never reuse an artifact).

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wasmtime::Result;
use wasmtime::component::Component;
use wasmtime::error::Context as _;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// How often the epoch advances; the unit of the CPU and time limits.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// A pool of pre-allocated instance slots: instantiation then reuses memory (copy-on-write
/// from the component's initial image) instead of mapping it anew, which keeps the 100th
/// tenant's start as fast as the first's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pool {
    /// Runs that may be instantiated at once.
    pub instances: u32,
    /// Each run's memory limit: the size of a memory slot.
    pub memory_bytes: usize,
}

/// Core instances, memories and tables per component instance: the component's own plus
/// wit-component's adapter shims, with room to spare.
const CORE_INSTANCES_PER_COMPONENT: u32 = 16;
const MEMORIES_PER_COMPONENT: u32 = 2;
const TABLES_PER_COMPONENT: u32 = 8;

pub fn engine(pool: Option<Pool>) -> Result<Engine> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    config.max_wasm_stack(1 << 20);
    config.memory_init_cow(true);
    if let Some(pool) = pool {
        let n = pool.instances.max(1);
        let mut pooling = PoolingAllocationConfig::default();
        pooling
            .total_component_instances(n)
            .total_core_instances(n * CORE_INSTANCES_PER_COMPONENT)
            .total_memories(n * MEMORIES_PER_COMPONENT)
            .total_tables(n * TABLES_PER_COMPONENT)
            .total_stacks(n)
            .max_core_instances_per_component(CORE_INSTANCES_PER_COMPONENT)
            .max_memories_per_component(MEMORIES_PER_COMPONENT)
            .max_tables_per_component(TABLES_PER_COMPONENT)
            .max_memory_size(pool.memory_bytes);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
    }
    Engine::new(&config).context("cannot set up the WebAssembly engine")
}

/// How the component was obtained, for the run's timing report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Compiled,
    Cached,
}

pub struct Loaded {
    pub component: Component,
    pub origin: Origin,
    pub took: Duration,
}

/// Loads a component, from the cache when it holds this component compiled by this engine.
/// `name` says where the bytes came from, for errors.
pub fn load_component(
    engine: &Engine,
    bytes: &[u8],
    name: &str,
    cache_dir: Option<&Path>,
) -> Result<Loaded> {
    let started = Instant::now();
    let cached = cache_dir.map(|dir| dir.join(cache_file_name(engine, bytes)));
    if let Some(file) = &cached
        && file.exists()
    {
        // SAFETY: the file was written by `precompile_component` of an engine with the same
        // compatibility hash, for a component with the same SHA-256 (both are in its name), in
        // a directory only this user can write (created 0700 below).
        match unsafe { Component::deserialize_file(engine, file) } {
            Ok(component) => {
                return Ok(Loaded {
                    component,
                    origin: Origin::Cached,
                    took: started.elapsed(),
                });
            }
            Err(_) => {
                let _ = std::fs::remove_file(file);
            }
        }
    }
    let compiled = engine
        .precompile_component(bytes)
        .with_context(|| format!("{name} is not a valid component"))?;
    if let Some(file) = &cached
        && let Err(e) = write_cache(file, &compiled)
    {
        let message = format!(
            "cannot cache the compiled component in {}: {e}",
            file.display()
        );
        crate::logging::say(
            crate::logging::Level::Warn,
            format!("note: {message}"),
            &message,
            &crate::logging::Fields {
                source: Some("host"),
                ..crate::logging::Fields::default()
            },
        );
    }
    // SAFETY: `compiled` was just produced by this engine.
    let component = unsafe { Component::deserialize(engine, &compiled) }?;
    Ok(Loaded {
        component,
        origin: Origin::Compiled,
        took: started.elapsed(),
    })
}

/// A collision-resistant name: the cache entry that runs is the one compiled from these very
/// bytes (a signature checked on one component must not run another's compiled code).
fn cache_file_name(engine: &Engine, component: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let mut engine_hash = std::collections::hash_map::DefaultHasher::new();
    engine
        .precompile_compatibility_hash()
        .hash(&mut engine_hash);
    let digest = Sha256::digest(component);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("connector-{:016x}-{hex}.cwasm", engine_hash.finish())
}

fn write_cache(file: &Path, compiled: &[u8]) -> std::io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    let tmp = dir.join(format!(".tmp-{}", std::process::id()));
    std::fs::write(&tmp, compiled)?;
    std::fs::rename(&tmp, file)
}

/// `$DDB_CATALOG_CACHE_DIR`, else `$XDG_CACHE_HOME/ddb-catalog`, else `~/.cache/ddb-catalog`.
pub fn default_cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DDB_CATALOG_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("ddb-catalog"))
}
